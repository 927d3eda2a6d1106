package dev.atpin.testing;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;

/**
 * Recounts every tenant's usage from {@code pin_request} and compares it with the counters the service
 * keeps ({@code account_usage}, and per status {@code pin_status_usage}): the number of rows that differ.
 */
public final class UsageRecount {

    private UsageRecount() {}

    public static int mismatches(String jdbcUrl) throws SQLException {
        try (Connection c = DriverManager.getConnection(jdbcUrl, "postgres", "postgres")) {
            return mismatches(c);
        }
    }

    /** The same, on the caller's connection (a {@code @QuarkusTest}'s datasource). */
    public static int mismatches(Connection c) throws SQLException {
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        select count(*) from (
                          select did, status, count(*) n, coalesce(sum(charged_bytes), 0) b
                          from pin_request group by did, status) actual
                        full join pin_status_usage u using (did, status)
                        where coalesce(actual.n, 0) <> coalesce(u.pins, 0) or coalesce(actual.b, 0) <> coalesce(u.bytes, 0)
                        union all
                        select count(*) from (
                          select did, count(*) n, coalesce(sum(charged_bytes), 0) b from pin_request group by did) actual
                        full join account_usage u using (did)
                        where coalesce(actual.n, 0) <> coalesce(u.pins, 0) or coalesce(actual.b, 0) <> coalesce(u.bytes, 0)""")) {
            int mismatches = 0;
            while (rs.next()) {
                mismatches += rs.getInt(1);
            }
            return mismatches;
        }
    }
}
