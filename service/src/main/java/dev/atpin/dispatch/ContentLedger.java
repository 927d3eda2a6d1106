package dev.atpin.dispatch;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;

/**
 * Who wants which content, and what follows from it: the reference count of each CID, its
 * placements on nodes (the durable queue) and the status every request for it reports.
 *
 * <p>Methods marked {@code MANDATORY} run inside the caller's transaction, so a request and the
 * queue rows it creates commit together: a 202 means the work is durable.
 */
@ApplicationScoped
public class ContentLedger {

    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final Event<WorkQueued> workQueued;

    ContentLedger(AgroalDataSource db, DispatchConfig config, Event<WorkQueued> workQueued) {
        this.db = db;
        this.config = config;
        this.workQueued = workQueued;
    }

    /**
     * Fired after commit when new work is queued, to wake idle workers: about {@code placements} of them (each wakes
     * at most one idle worker, so a single add does not send every worker to the queue).
     */
    public record WorkQueued(int placements) {}

    /**
     * One more live request wants {@code cid}. Creates the content and its placements on first
     * sight, revives it when it was waiting to be unpinned, retries it when it had failed.
     *
     * @return the status a new request for it starts with
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public String want(String cid, int replication) throws SQLException {
        try (Connection c = db.getConnection()) {
            String status;
            try (PreparedStatement up = c.prepareStatement("""
                    insert into content (cid, refcount, replication) values (?, 1, ?)
                    on conflict (cid) do update set refcount = content.refcount + 1, released_at = null,
                                                    replication = greatest(content.replication, excluded.replication)
                    returning status""")) {
                up.setString(1, cid);
                up.setInt(2, Math.max(replication, config.replication()));
                try (ResultSet rs = up.executeQuery()) {
                    rs.next();
                    status = rs.getString(1);
                }
            }
            String settled = settle(c, cid);
            if (settled != null) {
                workQueued.fire(new WorkQueued(Math.max(replication, config.replication())));
                return settled;
            }
            return status;
        }
    }

    /**
     * After one more request wants {@code cid} (its row upserted by the caller): places it up to its
     * replication and retries it when every attempt had failed, on the caller's connection.
     *
     * @return the content's new status when work was queued (fire {@link WorkQueued} after commit), else null
     */
    public String settle(Connection c, String cid) throws SQLException {
        return placeUpToReplication(c, cid) | retryIfFailed(c, cid) ? propagate(c, cid) : null;
    }

    /** The replication a content gets for a plan asking for {@code planReplication} copies. */
    public int replicationFor(int planReplication) {
        return Math.max(planReplication, config.replication());
    }

    /** One live request fewer wants {@code cid}; at zero the grace period before unpinning starts. */
    @Transactional(Transactional.TxType.MANDATORY)
    public void release(String cid) throws SQLException {
        try (Connection c = db.getConnection()) {
            release(c, cid);
        }
    }

    /** One reference fewer, on the caller's connection; at zero the grace period starts. */
    static void release(Connection c, String cid) throws SQLException {
        try (PreparedStatement down = c.prepareStatement("""
                update content set refcount = refcount - 1,
                       released_at = case when refcount = 1 then now() else released_at end
                where cid = ? and refcount > 0""")) {
            down.setString(1, cid);
            down.executeUpdate();
        }
    }

    /**
     * Keeps {@code cid} wanted until request {@code waitingFor} has settled (replace: the new pin
     * is in place before the old content is released).
     */
    @Transactional(Transactional.TxType.MANDATORY)
    public void releaseAfter(String cid, java.util.UUID waitingFor) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement defer = c.prepareStatement(
                        "insert into deferred_release (cid, waiting_for) values (?, ?)")) {
            defer.setString(1, cid);
            defer.setObject(2, waitingFor);
            defer.executeUpdate();
        }
    }

    /**
     * Recomputes a content's status from its placements and hands it to every request for it.
     *
     * @return the content's status now
     */
    static String propagate(Connection c, String cid) throws SQLException {
        String status;
        try (PreparedStatement s = c.prepareStatement("""
                with s as (
                    select case when bool_or(state = 'pinned') then 'pinned'
                                when bool_or(state = 'pinning') then 'pinning'
                                when bool_and(state = 'failed') then 'failed'
                                else 'queued' end as status,
                           -- Every tenant that wants this content reads these details: node names and Kubo's
                           -- errors are operator facts (placement.last_error, the admin API), not theirs.
                           'the cluster could not pin this content after repeated attempts' as details
                    from placement where cid = ?)
                update content set status = coalesce(s.status, 'queued'),
                       status_details = case when s.status = 'failed' then s.details end
                from s where content.cid = ?
                returning content.status""")) {
            s.setString(1, cid);
            s.setString(2, cid);
            try (ResultSet rs = s.executeQuery()) {
                if (!rs.next()) {
                    return "queued";
                }
                status = rs.getString(1);
            }
        }
        try (PreparedStatement r = c.prepareStatement(
                "update pin_request set status = ? where cid = ? and status <> ? and failure is null")) {
            r.setString(1, status);
            r.setString(2, cid);
            r.setString(3, status);
            r.executeUpdate();
        }
        return status;
    }

    /** Adds placements on usable nodes until the content has as many live copies as its replication asks. */
    private boolean placeUpToReplication(Connection c, String cid) throws SQLException {
        return !Placements.placeMissing(c, java.util.List.of(cid)).isEmpty();
    }

    /** The content's DAG size, once a node has measured it. */
    @Transactional(Transactional.TxType.MANDATORY)
    public java.util.OptionalLong knownSize(String cid) throws SQLException {
        try (Connection c = db.getConnection()) {
            return knownSize(c, cid);
        }
    }

    static java.util.OptionalLong knownSize(Connection c, String cid) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select size_bytes from content where cid = ?")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                if (rs.next() && rs.getObject(1) != null) {
                    return java.util.OptionalLong.of(rs.getLong(1));
                }
                return java.util.OptionalLong.empty();
            }
        }
    }

    static void recordSize(Connection c, String cid, long size) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("update content set size_bytes = ? where cid = ?")) {
            q.setLong(1, size);
            q.setString(2, cid);
            q.executeUpdate();
        }
    }

    private boolean retryIfFailed(Connection c, String cid) throws SQLException {
        // A new request is a new chance for content whose every attempt had failed.
        try (PreparedStatement retry = c.prepareStatement("""
                update placement set state = 'queued', attempts = 0, next_attempt_at = now(), last_error = null
                where cid = ? and state = 'failed'
                  and not exists (select 1 from placement where cid = ? and state <> 'failed')""")) {
            retry.setString(1, cid);
            retry.setString(2, cid);
            return retry.executeUpdate() > 0;
        }
    }
}
