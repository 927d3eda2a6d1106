package dev.atpin.dispatch;

import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/**
 * The durable pin queue in Postgres. Each method is its own short transaction; a worker holds a
 * lease on a claimed row (renewed while Kubo makes progress), never a database lock.
 */
@ApplicationScoped
public class PlacementQueue {

    private final AgroalDataSource db;
    private final DispatchConfig config;

    PlacementQueue(AgroalDataSource db, DispatchConfig config) {
        this.db = db;
        this.config = config;
    }

    /**
     * How {@link #claim} picks the next placement: common table expressions (without their {@code with}, ending in
     * a newline) whose last, {@code due}, is at most one row ({@code cid}, {@code node}); the candidates it looked at
     * stay locked until the transaction ends. One parameter: the per-node concurrency limit
     * ({@code atpin.dispatch.node-concurrency}). Public so that the heal benchmark {@code EXPLAIN}s the very query the
     * workers run, not a copy that drifts.
     */
    public static final String CLAIM_CANDIDATE = """
            open_node as (
                -- a node that does not answer would only burn attempts; a draining or down one gets no
                -- new copies (the healer moves its queued rows elsewhere); per-node concurrency: one slow
                -- node must not take every worker
                select n.name from node n
                where n.state = 'active' and n.healthy
                  and (select count(*) from placement b where b.node = n.name and b.state = 'pinning'
                       and b.lease_expires_at > now()) < ?),
            queued as (
                select head.* from open_node o cross join lateral (
                    select q.cid, q.node, q.attempts, q.next_attempt_at from placement q
                    where q.node = o.name and q.state = 'queued' and q.next_attempt_at <= now()
                      and exists (select 1 from content ct where ct.cid = q.cid and ct.refcount > 0)
                    order by q.attempts, q.next_attempt_at
                    limit 1
                    for update of q skip locked) head),
            abandoned as (
                select q.cid, q.node, q.attempts, q.next_attempt_at from placement q
                where q.state = 'pinning' and q.lease_expires_at < now()
                  and q.node in (select name from open_node)
                  and exists (select 1 from content ct where ct.cid = q.cid and ct.refcount > 0)
                order by q.attempts, q.next_attempt_at
                limit 1
                for update of q skip locked),
            due as (
                -- the other candidates stay locked only until this transaction ends, a moment later
                select cid, node from (select * from queued union all select * from abandoned) candidate
                order by attempts, next_attempt_at
                limit 1)
            """;

    /** A claimed placement: pin {@code cid} on {@code node}, this being attempt {@code attempt}. */
    public record Claim(String cid, String node, int attempt, String owner) {}

    /**
     * Claims the next placement: queued and due, or pinning under an expired lease (its worker died).
     * First attempts go before retries, so content that cannot be found does not hold up new pins.
     * Content nobody wants any more is left to the unpinner.
     *
     * <p>Its cost must not grow with the queue: after a node loss the healer queues a copy of every content the
     * node held at once, and every one of those copies is claimed through here. So the nodes that may take a pin
     * (active, answering, under their concurrency limit) are found first, and each of them is read from the head
     * of its own ordered index ({@code placement_queued_by_node}), one row each; the best of those wins. Rows
     * abandoned under an expired lease are few (one per dead worker) and have their own small index. Ordering all
     * due rows and testing each one's node, as this query once did, made a restore quadratic in the contents
     * (loadtests/README.md, "Self-healing and pin throughput").
     */
    public Optional<Claim> claim(String owner) throws SQLException {
        return Jdbc.inTransaction(db, c -> {
            try (PreparedStatement claim = c.prepareStatement("with " + CLAIM_CANDIDATE + """
                    update placement p set state = 'pinning', lease_owner = ?,
                           lease_expires_at = now() + make_interval(secs => ?),
                           attempts = p.attempts + 1, updated_at = now()
                    from due
                    where p.cid = due.cid and p.node = due.node
                    returning p.cid, p.node, p.attempts""")) {
                claim.setInt(1, config.nodeConcurrency());
                claim.setString(2, owner);
                claim.setDouble(3, config.lease().toMillis() / 1000.0);
                try (ResultSet rs = claim.executeQuery()) {
                    if (!rs.next()) {
                        return Optional.empty();
                    }
                    Claim got = new Claim(rs.getString(1), rs.getString(2), rs.getInt(3), owner);
                    ContentLedger.propagate(c, got.cid());
                    return Optional.of(got);
                }
            }
        });
    }

    /** Extends the lease and records progress; false when the lease was lost (another worker took over). */
    public boolean renew(Claim claim, long progress) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement renew = c.prepareStatement("""
                        update placement set lease_expires_at = now() + make_interval(secs => ?), progress = ?,
                               updated_at = now()
                        where cid = ? and node = ? and lease_owner = ? and state = 'pinning'""")) {
            renew.setDouble(1, config.lease().toMillis() / 1000.0);
            renew.setLong(2, progress);
            renew.setString(3, claim.cid());
            renew.setString(4, claim.node());
            renew.setString(5, claim.owner());
            return renew.executeUpdate() > 0;
        }
    }

    public void pinned(Claim claim) throws SQLException {
        finish(claim, "pinned", null, Duration.ZERO);
    }

    /**
     * Pinned on a target that replicates itself: the row also records the peers that hold it and the replication the
     * target was asked for ({@link dev.atpin.dispatch.backend.PinBackend#replicatesItself}).
     */
    public void pinnedOnPeers(Claim claim, List<String> holders, int replicationAsked) throws SQLException {
        Jdbc.inTransaction(db, c -> {
            try (PreparedStatement done = c.prepareStatement("""
                    update placement set state = 'pinned', last_error = null, lease_owner = null,
                           lease_expires_at = null, next_attempt_at = now(), updated_at = now(),
                           copy_peers = ?, copies_read_at = now(), replication_asked = ?,
                           replication_wanted = (select replication from content ct where ct.cid = placement.cid)
                    where cid = ? and node = ? and lease_owner = ?""")) {
                done.setArray(1, c.createArrayOf("text", holders.toArray()));
                done.setInt(2, replicationAsked);
                done.setString(3, claim.cid());
                done.setString(4, claim.node());
                done.setString(5, claim.owner());
                if (done.executeUpdate() > 0) {
                    ContentLedger.propagate(c, claim.cid());
                }
            }
            return null;
        });
    }

    /** A failed attempt: retried with exponential backoff, or failed for good after the last attempt. */
    public void attemptFailed(Claim claim, String error) throws SQLException {
        boolean last = claim.attempt() >= config.maxAttempts();
        finish(claim, last ? "failed" : "queued", error, backoff(claim.attempt()));
    }

    /** A placement that must not be retried (e.g. no request may pay for the content). */
    public void failed(Claim claim, String error) throws SQLException {
        finish(claim, "failed", error, Duration.ZERO);
    }

    Duration backoff(int attempt) {
        long factor = 1L << Math.min(attempt - 1, 20);
        Duration delay = config.initialBackoff().multipliedBy(factor);
        return delay.compareTo(config.maxBackoff()) > 0 ? config.maxBackoff() : delay;
    }

    /**
     * After a restart, rows any worker of this instance had claimed (lease owners {@code <instance>/w<n>}) are
     * resumed at once instead of after their lease.
     */
    public int resumeOwn(String instance) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement resume = c.prepareStatement("""
                        update placement set state = 'queued', next_attempt_at = now(), lease_owner = null,
                               lease_expires_at = null
                        where state = 'pinning' and (lease_owner = ? or starts_with(lease_owner, ?))""")) {
            resume.setString(1, instance);
            resume.setString(2, instance + "/w");
            return resume.executeUpdate();
        }
    }

    /**
     * Operators' "retry now": a placement waiting for its next attempt is due at once; a failed one gets a fresh
     * series of attempts. Runs on the caller's connection (its transaction also records who asked).
     *
     * @return false when the placement is neither waiting nor failed
     */
    public static boolean retryNow(Connection c, String cid, String node) throws SQLException {
        try (PreparedStatement retry = c.prepareStatement("""
                update placement set next_attempt_at = now(), updated_at = now(),
                       attempts = case when state = 'failed' then 0 else attempts end, state = 'queued'
                where cid = ? and node = ? and state in ('queued', 'failed')""")) {
            retry.setString(1, cid);
            retry.setString(2, node);
            if (retry.executeUpdate() == 0) {
                return false;
            }
        }
        ContentLedger.propagate(c, cid);
        return true;
    }

    private void finish(Claim claim, String state, String error, Duration retryIn) throws SQLException {
        Jdbc.inTransaction(db, c -> {
            try (PreparedStatement done = c.prepareStatement("""
                    update placement set state = ?, last_error = ?, lease_owner = null, lease_expires_at = null,
                           next_attempt_at = now() + make_interval(secs => ?), updated_at = now()
                    where cid = ? and node = ? and lease_owner = ?""")) {
                done.setString(1, state);
                done.setString(2, error == null ? null : truncate(error));
                done.setDouble(3, retryIn.toMillis() / 1000.0);
                done.setString(4, claim.cid());
                done.setString(5, claim.node());
                done.setString(6, claim.owner());
                if (done.executeUpdate() > 0) {
                    ContentLedger.propagate(c, claim.cid());
                }
            }
            return null;
        });
    }

    private static String truncate(String s) {
        return s.length() > 500 ? s.substring(0, 500) : s;
    }
}
