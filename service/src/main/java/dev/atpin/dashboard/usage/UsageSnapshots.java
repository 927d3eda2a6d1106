package dev.atpin.dashboard.usage;

import dev.atpin.dashboard.DashboardConfig;
import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Usage over time: every {@code usage-snapshot-interval} each account's live usage (the exact counters the
 * quotas use) is written into today's row of {@code usage_daily}, so a day's row holds the last value seen that
 * day. Any replica may run it; an advisory lock lets one do each round. Rows past {@code usage-history-days}
 * are deleted.
 */
@ApplicationScoped
public class UsageSnapshots {

    private static final Logger LOG = Logger.getLogger(UsageSnapshots.class);
    private static final long ADVISORY_LOCK = 0x61747069_6e000030L;

    /** One day of one account's usage. */
    public record Day(LocalDate day, long pins, long bytes) {}

    /** The live counters of one account. */
    public record Current(long pins, long bytes) {}

    private final AgroalDataSource db;
    private final DashboardConfig config;

    UsageSnapshots(AgroalDataSource db, DashboardConfig config) {
        this.db = db;
        this.config = config;
    }

    @Scheduled(every = "${atpin.dashboard.usage-snapshot-interval:1h}", delayed = "10s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        try {
            takeAll();
        } catch (SQLException e) {
            LOG.warn("could not take the daily usage snapshots", e);
        }
    }

    /** Writes today's row of every account whose usage changed since its last snapshot today. */
    public int takeAll() throws SQLException {
        return Jdbc.inTransaction(db, c -> {
            if (!tryLock(c)) {
                return 0;
            }
            int written;
            try (PreparedStatement q = c.prepareStatement("""
                    insert into usage_daily (did, day, pins, bytes)
                    select did, (now() at time zone 'utc')::date, pins, bytes from account_usage
                    on conflict (did, day) do update set pins = excluded.pins, bytes = excluded.bytes, taken_at = now()
                    where usage_daily.pins <> excluded.pins or usage_daily.bytes <> excluded.bytes""")) {
                written = q.executeUpdate();
            }
            try (PreparedStatement q = c.prepareStatement(
                    "delete from usage_daily where day < (now() at time zone 'utc')::date - ?")) {
                q.setInt(1, config.usageHistoryDays());
                q.executeUpdate();
            }
            return written;
        });
    }

    /** The account's snapshots from {@code since} on, oldest first. */
    public List<Day> history(String did, LocalDate since) throws SQLException {
        List<Day> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select day, pins, bytes from usage_daily where did = ? and day >= ? order by day")) {
            q.setString(1, did);
            q.setObject(2, since);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(new Day(rs.getObject(1, LocalDate.class), rs.getLong(2), rs.getLong(3)));
                }
            }
        }
        return out;
    }

    /** Live requests and charged bytes now, from the counters the quotas check. */
    public Current current(String did) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select pins, bytes from account_usage where did = ?")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? new Current(rs.getLong(1), rs.getLong(2)) : new Current(0, 0);
            }
        }
    }

    private static boolean tryLock(Connection c) throws SQLException {
        try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
            lock.setLong(1, ADVISORY_LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }
}
