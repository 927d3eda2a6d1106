package dev.atpin.dashboard.pins;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;

/**
 * What the dashboard shows beyond a request's {@code PinStatus}: where its content is (to be) pinned and how
 * far each copy is, how many copies are wanted, and the request's status history. Read-only; called only for
 * CIDs and requests the caller already read through {@code PinService} for the logged-in tenant.
 */
@ApplicationScoped
public class PinReplicas {

    /**
     * One copy of the content on one node, by the node's name. Kubo's errors are not part of it: they are
     * operator facts (the admin API shows them), and every tenant that wants the content would read them.
     *
     * @param blocks blocks fetched so far by the pin in progress, when Kubo reported any
     */
    public record Replica(String node, String state, int attempts, Long blocks, Instant nextAttempt, Instant updated) {}

    /** One status change of a request. */
    public record Change(String from, String to, String details, Instant at) {}

    private final AgroalDataSource db;

    PinReplicas(AgroalDataSource db) {
        this.db = db;
    }

    /** For each normalized CID, its copies by node name. */
    public Map<String, List<Replica>> of(Collection<String> cids) throws SQLException {
        Map<String, List<Replica>> out = new HashMap<>();
        if (cids.isEmpty()) {
            return out;
        }
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select cid, node, state, attempts, progress, next_attempt_at, updated_at
                        from placement where cid = any(?) order by node""")) {
            q.setArray(1, c.createArrayOf("text", cids.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(new Replica(rs.getString(2),
                            rs.getString(3), rs.getInt(4), (Long) rs.getObject(5),
                            instant(rs.getObject(6, OffsetDateTime.class)), instant(rs.getObject(7, OffsetDateTime.class))));
                }
            }
        }
        return out;
    }

    /** Copies wanted of the content. */
    public Optional<Integer> wanted(String cid) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select replication from content where cid = ?")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getInt(1)) : Optional.empty();
            }
        }
    }

    /** The request's status changes, oldest first. */
    public List<Change> history(UUID requestId) throws SQLException {
        List<Change> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select old_status, new_status, details, changed_at from pin_status_change
                        where request_id = ? order by changed_at""")) {
            q.setObject(1, requestId);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Change(rs.getString(1), rs.getString(2), rs.getString(3),
                            instant(rs.getObject(4, OffsetDateTime.class))));
                }
            }
        }
        return out;
    }

    private static Instant instant(OffsetDateTime t) {
        return t == null ? null : t.toInstant();
    }
}
