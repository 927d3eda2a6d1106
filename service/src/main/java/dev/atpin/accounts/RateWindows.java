package dev.atpin.accounts;

import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import org.jboss.logging.Logger;

/** Fixed-window request counters per API token, in Postgres: one upsert per request, shared by all replicas. */
@ApplicationScoped
public class RateWindows {

    private static final Logger LOG = Logger.getLogger(RateWindows.class);

    private final AgroalDataSource db;
    private final AccountsConfig config;

    RateWindows(AgroalDataSource db, AccountsConfig config) {
        this.db = db;
        this.config = config;
    }

    /** The state of a token's window after counting one more request. */
    public record Window(int limit, int hits, long seconds, long resetEpochSecond) {
        public int remaining() {
            return Math.max(0, limit - hits);
        }
    }

    public Window count(UUID tokenId, int limit) throws SQLException {
        long seconds = Math.max(1, config.rateWindow().toSeconds());
        long now = Instant.now().getEpochSecond();
        long start = now - now % seconds;
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        insert into rate_window (token_id, window_start, hits) values (?, ?, 1)
                        on conflict (token_id, window_start) do update set hits = rate_window.hits + 1
                        returning hits""")) {
            q.setObject(1, tokenId);
            q.setObject(2, OffsetDateTime.ofInstant(Instant.ofEpochSecond(start), ZoneOffset.UTC));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return new Window(limit, rs.getInt(1), seconds, start + seconds);
            }
        }
    }

    /** Old windows are of no use: keep the table small. */
    @Scheduled(every = "1m", delayed = "30s")
    void forgetOldWindows() {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "delete from rate_window where window_start < now() - make_interval(secs => ?)")) {
            q.setDouble(1, 2.0 * config.rateWindow().toSeconds());
            q.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("could not clean old rate windows", e);
        }
    }
}
