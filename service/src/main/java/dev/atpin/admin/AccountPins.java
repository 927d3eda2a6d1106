package dev.atpin.admin;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/** An account's pin requests as operators see them: newest first, paged by {@code created}. */
@ApplicationScoped
public class AccountPins {

    /** One request; {@code failure} is why it failed on the account's own limits, when it did. */
    public record Pin(String requestid, String cid, String name, String status, String created, String source,
            Long chargedBytes, String failure) {}

    private final AgroalDataSource db;

    AccountPins(AgroalDataSource db) {
        this.db = db;
    }

    @Transactional(rollbackOn = SQLException.class)
    public List<Pin> list(String did, Optional<String> status, Optional<Instant> before, int limit) throws SQLException {
        List<Pin> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select id, cid, name, status, to_char(created at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'),
                               source, charged_bytes, failure
                        from pin_request
                        where did = ? and (cast(? as text) is null or status = ?)
                          and (cast(? as timestamptz) is null or created < ?)
                        order by created desc limit ?""")) {
            OffsetDateTime cursor = before.map(b -> b.atOffset(ZoneOffset.UTC)).orElse(null);
            q.setString(1, did);
            q.setString(2, status.orElse(null));
            q.setString(3, status.orElse(null));
            q.setObject(4, cursor);
            q.setObject(5, cursor);
            q.setInt(6, limit);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Pin(rs.getString(1), rs.getString(2), rs.getString(3), rs.getString(4), rs.getString(5),
                            rs.getString(6), (Long) rs.getObject(7), rs.getString(8)));
                }
            }
        }
        return out;
    }
}
