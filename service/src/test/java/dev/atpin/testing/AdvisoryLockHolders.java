package dev.atpin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Which service replicas hold a Postgres advisory lock, by the {@code application_name} of their connections
 * ({@code atpin@<instance id>}). A bigint advisory key shows in {@code pg_locks} split into classid (high half)
 * and objid (low half), with objsubid 1; the key is given as the SQL expression the service locks on, with one
 * {@code ?} for its argument (a node name, an upstream).
 */
public final class AdvisoryLockHolders {

    private AdvisoryLockHolders() {}

    public static List<String> of(Connection c, String keySql, String argument) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                select a.application_name from pg_locks l join pg_stat_activity a on a.pid = l.pid
                where l.locktype = 'advisory' and l.granted and l.objsubid = 1
                  and ((l.classid::bigint << 32) | l.objid::bigint) = """ + keySql)) {
            q.setString(1, argument);
            try (ResultSet rs = q.executeQuery()) {
                List<String> out = new ArrayList<>();
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
                return out;
            }
        }
    }

    /** The one holder, if any; fails when two connections hold the lock at once. */
    public static Optional<String> single(Connection c, String keySql, String argument) throws SQLException {
        List<String> holders = of(c, keySql, argument);
        assertThat(holders).as("holders of the lock %s for %s at once", keySql, argument).hasSizeLessThanOrEqualTo(1);
        return holders.stream().findFirst();
    }
}
