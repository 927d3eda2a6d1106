package dev.atpin.accounts;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.UUID;
import java.util.concurrent.locks.ReentrantLock;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * Fixed-window request budgets per API token, exact across replicas without a database write per
 * request (ADR 0110). Postgres holds, per token and window, how many requests have been
 * <em>claimed</em> by any replica ({@code rate_window.hits}, never above the limit); a replica
 * claims a share of what is left ({@code rate_claim}: a sixteenth, at most
 * {@code rate-claim-max-chunk}, at least one) and then admits that many requests from memory. So
 * the replicas together never admit more than the limit in a window, and at high limits one
 * claim serves hundreds of requests; once a window is spent, refusals cost nothing either.
 *
 * <p>Near the limit claims shrink to one request each, so little budget can sit unused on a
 * replica while another refuses. What a replica claimed but did not use in a window is lost with
 * the window (the {@code remaining} it reports counts other replicas' claims as used).
 */
@ApplicationScoped
public class RateWindows {

    private static final Logger LOG = Logger.getLogger(RateWindows.class);

    private final DataSource db;
    private final Duration window;
    private final int maxChunk;
    private final Cache<UUID, Budget> budgets;

    @Inject
    RateWindows(io.agroal.api.AgroalDataSource db, AccountsConfig config) {
        this(db, config.rateWindow(), config.rateClaimMaxChunk());
    }

    RateWindows(DataSource db, Duration window, int maxChunk) {
        this.db = db;
        this.window = window;
        this.maxChunk = Math.max(1, maxChunk);
        this.budgets = Caffeine.newBuilder().expireAfterAccess(window.multipliedBy(2).plusSeconds(1)).build();
    }

    /** The state of a token's window after counting one more request; over the limit when {@code hits > limit}. */
    public record Window(int limit, int hits, long seconds, long resetEpochSecond) {
        public int remaining() {
            return Math.max(0, limit - hits);
        }
    }

    /** What this replica holds of one token's current window. */
    private static final class Budget {
        final ReentrantLock lock = new ReentrantLock();
        long windowStart = -1;
        /** Claimed by this replica and not used yet. */
        int local;
        /** The window's total claimed by all replicas, as of this replica's last claim. */
        int claimed;
        boolean spent;
    }

    public Window count(UUID tokenId, int limit) throws SQLException {
        long seconds = Math.max(1, window.toSeconds());
        long now = Instant.now().getEpochSecond();
        long start = now - now % seconds;
        Budget b = budgets.get(tokenId, id -> new Budget());
        b.lock.lock();
        try {
            if (b.windowStart != start) {
                b.windowStart = start;
                b.local = 0;
                b.claimed = 0;
                b.spent = false;
            }
            if (b.local == 0 && !b.spent) {
                claim(tokenId, start, limit, b);
            }
            if (b.local == 0) {
                return new Window(limit, limit + 1, seconds, start + seconds);
            }
            b.local--;
            return new Window(limit, b.claimed - b.local, seconds, start + seconds);
        } finally {
            b.lock.unlock();
        }
    }

    private void claim(UUID tokenId, long start, int limit, Budget b) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select granted, claimed from rate_claim(?, ?, ?, ?)")) {
            q.setObject(1, tokenId);
            q.setObject(2, OffsetDateTime.ofInstant(Instant.ofEpochSecond(start), ZoneOffset.UTC));
            q.setInt(3, limit);
            q.setInt(4, maxChunk);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                b.local = rs.getInt(1);
                b.claimed = rs.getInt(2);
                b.spent = b.local == 0;
            }
        }
    }

    /** Old windows are of no use: keep the table small. */
    @Scheduled(every = "1m", delayed = "30s")
    void forgetOldWindows() {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "delete from rate_window where window_start < now() - make_interval(secs => ?)")) {
            q.setDouble(1, 2.0 * window.toSeconds());
            q.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("could not clean old rate windows", e);
        }
    }
}
