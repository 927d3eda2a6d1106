package dev.atpin.admin;

import dev.atpin.api.ApiException;
import dev.atpin.dispatch.PlacementQueue;
import dev.atpin.operators.Operator;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The pin queue as operators see it, beyond its depth ({@code dispatch.ClusterStatus}): the placements that
 * failed lately with their reasons, placements per node and state, and "retry now".
 */
@ApplicationScoped
public class QueueOverview {

    /** A placement whose last attempt failed: retried later ({@code queued}) or given up ({@code failed}). */
    public record Failure(String cid, String node, String state, int attempts, String lastError, String updatedAt,
            String nextAttemptAt) {}

    private final AgroalDataSource db;
    private final OperatorAudit audit;

    QueueOverview(AgroalDataSource db, OperatorAudit audit) {
        this.db = db;
        this.audit = audit;
    }

    /** The most recently failed attempts first. */
    @Transactional(rollbackOn = SQLException.class)
    public List<Failure> recentFailures(int limit) throws SQLException {
        List<Failure> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select cid, node, state, attempts, last_error, to_char(updated_at at time zone 'UTC', %s),
                               case when state = 'queued' then to_char(next_attempt_at at time zone 'UTC', %s) end
                        from placement where last_error is not null and state in ('queued', 'failed')
                        order by updated_at desc limit ?""".formatted(ISO, ISO))) {
            q.setInt(1, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Failure(rs.getString(1), rs.getString(2), rs.getString(3), rs.getInt(4),
                            rs.getString(5), rs.getString(6), rs.getString(7)));
                }
            }
        }
        return out;
    }

    /** Placements per node and state: node → state → count. */
    @Transactional(rollbackOn = SQLException.class)
    public Map<String, Map<String, Long>> placementsByNode() throws SQLException {
        Map<String, Map<String, Long>> out = new TreeMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select node, state, count(*) from placement group by node, state order by node, state");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                out.computeIfAbsent(rs.getString(1), n -> new LinkedHashMap<>()).put(rs.getString(2), rs.getLong(3));
            }
        }
        return out;
    }

    /** Retries one placement now (404 when it is neither waiting for a retry nor failed); audited. */
    @Transactional(rollbackOn = SQLException.class)
    public void retryNow(String cid, String node, Operator who) throws SQLException {
        try (Connection c = db.getConnection()) {
            if (!PlacementQueue.retryNow(c, cid, node)) {
                throw ApiException.notFound("no waiting or failed placement of " + cid + " on " + node);
            }
            audit.record(c, who, "queue.retry", cid + "@" + node, null, Map.of("cid", cid, "node", node));
        }
    }

    static final String ISO = "'YYYY-MM-DD\"T\"HH24:MI:SS\"Z\"'";
}
