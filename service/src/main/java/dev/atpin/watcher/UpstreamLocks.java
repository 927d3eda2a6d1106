package dev.atpin.watcher;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import javax.sql.DataSource;
import org.jboss.logging.Logger;

/**
 * The Postgres advisory locks that elect one replica per firehose upstream, all held on one connection.
 *
 * <p>A session-level advisory lock lives as long as the session that took it, and one session can hold any
 * number of them: so following N upstreams takes one connection, not N (a pooled connection per upstream let
 * a few dozen enrollments with distinct PDS hosts drain the pool). The connection is taken when the first lock
 * is and given back when the last one goes. If it breaks, every lock went with it: {@link #alive()} turns
 * false and the supervisor stops following everything until it wins the locks again.
 *
 * <p>Not thread-safe: the supervisor calls it under its own lock.
 */
final class UpstreamLocks {

    private static final Logger LOG = Logger.getLogger(UpstreamLocks.class);

    private final DataSource db;
    private Connection session;
    private int held;

    UpstreamLocks(DataSource db) {
        this.db = db;
    }

    /** Takes the upstream's lock unless another replica holds it. */
    boolean tryLock(String upstream) throws SQLException {
        if (session == null) {
            session = db.getConnection();
            session.setAutoCommit(true);
        }
        try (PreparedStatement q = session.prepareStatement("select pg_try_advisory_lock(hashtextextended(?, 7))")) {
            q.setString(1, key(upstream));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                if (rs.getBoolean(1)) {
                    held++;
                    return true;
                }
            }
        } catch (SQLException e) {
            closeIfIdle();
            throw e;
        }
        closeIfIdle();
        return false;
    }

    void unlock(String upstream) {
        if (session == null) {
            return;
        }
        try (PreparedStatement q = session.prepareStatement("select pg_advisory_unlock(hashtextextended(?, 7))")) {
            q.setString(1, key(upstream));
            q.execute();
        } catch (SQLException e) {
            LOG.debugf("unlock of %s failed (the lock goes with the connection): %s", upstream, e.getMessage());
        }
        held = Math.max(0, held - 1);
        closeIfIdle();
    }

    /** Whether the locks taken so far are still held (their connection still works). */
    boolean alive() {
        if (session == null) {
            return true;
        }
        try {
            return session.isValid(5);
        } catch (SQLException e) {
            return false;
        }
    }

    /** Drops the connection and, with it, every lock. */
    void reset() {
        close(session);
        session = null;
        held = 0;
    }

    /** How many connections this holds: 0 or 1, whatever the number of upstreams. */
    int connections() {
        return session == null ? 0 : 1;
    }

    private void closeIfIdle() {
        if (held == 0) {
            reset();
        }
    }

    private static String key(String upstream) {
        return "atpin-firehose:" + upstream;
    }

    private static void close(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the pool discards it
            }
        }
    }
}
