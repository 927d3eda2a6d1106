package dev.atpin.watcher;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** SQL for {@code watched_repo} and its companions. Methods join the caller's transaction when there is one. */
@ApplicationScoped
public class WatchedRepos {

    private static final String SELECT = """
            select did, state, pds_url, rev, data_cid, attempts, last_error, last_event_time from watched_repo""";

    private final AgroalDataSource db;

    WatchedRepos(AgroalDataSource db) {
        this.db = db;
    }

    /** Enrolls {@code did} (again): a backfill is due at once. */
    public void enroll(String did, String pdsUrl) throws SQLException {
        update("""
                insert into watched_repo (did, pds_url, state, retry_after) values (?, ?, 'pending', now())
                on conflict (did) do update set state = 'pending', pds_url = excluded.pds_url, attempts = 0,
                    retry_after = now(), last_error = null, deleted_at = null, updated_at = now()""", did, pdsUrl);
    }

    /**
     * Counts one enrollment by the user in the current window ({@code window} long, starting at its first
     * enrollment), and tells whether it is within {@code limit}. Runs in the caller's transaction.
     *
     * @return empty when within the limit, else when the window ends
     */
    public Optional<Instant> countEnrollment(String did, int limit, Duration window) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update watched_repo set
                            enrollments_in_window = case when enrollment_window_start is null
                                or enrollment_window_start < now() - make_interval(secs => ?) then 1
                                else enrollments_in_window + 1 end,
                            enrollment_window_start = case when enrollment_window_start is null
                                or enrollment_window_start < now() - make_interval(secs => ?) then now()
                                else enrollment_window_start end
                        where did = ?
                        returning enrollments_in_window, enrollment_window_start + make_interval(secs => ?)""")) {
            double seconds = window.toMillis() / 1000.0;
            q.setDouble(1, seconds);
            q.setDouble(2, seconds);
            q.setString(3, did);
            q.setDouble(4, seconds);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next() || rs.getInt(1) <= limit) {
                    return Optional.empty();
                }
                return Optional.of(rs.getObject(2, OffsetDateTime.class).toInstant());
            }
        }
    }

    /** Serializes enrollments across replicas until the caller's transaction ends. */
    public void lockEnrollments() throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select pg_advisory_xact_lock(hashtextextended(?, 7))")) {
            q.setString(1, "atpin-enrollment");
            q.execute();
        }
    }

    /** Watched repos (any state but unenrolled), and the distinct upstream hosts they are followed through. */
    public record Totals(long repos, long upstreams) {}

    public Totals totals() throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select count(*), count(distinct rtrim(pds_url, '/')) from watched_repo
                        where state <> 'unenrolled'""");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            return new Totals(rs.getLong(1), rs.getLong(2));
        }
    }

    /** Whether {@code did} is watched now (in any state but unenrolled). */
    public boolean isWatched(String did) throws SQLException {
        return find(did).filter(r -> r.state() != RepoState.UNENROLLED).isPresent();
    }

    /** Whether some watched repo is already followed through {@code pdsUrl}. */
    public boolean upstreamFollowed(String pdsUrl) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select exists (select 1 from watched_repo
                                       where state <> 'unenrolled' and rtrim(pds_url, '/') = rtrim(?, '/'))""")) {
            q.setString(1, pdsUrl);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    public Optional<WatchedRepo> find(String did) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(SELECT + " where did = ?")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Locks the row for the rest of the caller's transaction (live events of one repo apply one at a time). */
    public Optional<WatchedRepo> lock(String did) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(SELECT + " where did = ? for update")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** Every watched DID with its state and PDS: the firehose filters on it before decoding bodies. */
    public Map<String, WatchedRepo> all() throws SQLException {
        Map<String, WatchedRepo> out = new HashMap<>();
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(SELECT);
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                WatchedRepo repo = read(rs);
                out.put(repo.did(), repo);
            }
        }
        return out;
    }

    public void advance(String did, String rev, String dataCid, OffsetDateTime eventTime) throws SQLException {
        update("""
                update watched_repo set rev = ?, data_cid = ?, last_event_at = now(),
                    last_event_time = coalesce(?, last_event_time), updated_at = now()
                where did = ?""", rev, dataCid, eventTime, did);
    }

    public void setState(String did, RepoState state, String error) throws SQLException {
        update("update watched_repo set state = ?, last_error = ?, updated_at = now() where did = ?",
                state.db(), error, did);
    }

    /** A gap or failed check: no change is applied until a resync has run (soon). */
    public void desynchronize(String did, String why) throws SQLException {
        update("""
                update watched_repo set state = 'desynchronized', last_error = ?, retry_after = now(), updated_at = now()
                where did = ? and state in ('active', 'desynchronized')""", truncate(why), did);
    }

    /** Schedules a resync of every active repo followed through {@code upstream} (its PDS, or all for a relay). */
    public int desynchronizeUpstream(String upstream, String why) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update watched_repo set state = 'desynchronized', last_error = ?, retry_after = now(),
                            updated_at = now()
                        where state = 'active' and (rtrim(pds_url, '/') = rtrim(?, '/') or ?)""")) {
            q.setString(1, why);
            q.setString(2, upstream);
            q.setBoolean(3, isRelay(upstream));
            return q.executeUpdate();
        }
    }

    /** With a relay every repo comes through the one upstream; set by the supervisor. */
    private volatile String relay;

    void relay(String relayUpstream) {
        this.relay = relayUpstream;
    }

    private boolean isRelay(String upstream) {
        return upstream.equals(relay);
    }

    public void setPds(String did, String pdsUrl) throws SQLException {
        update("update watched_repo set pds_url = ?, updated_at = now() where did = ?", pdsUrl, did);
    }

    public void markDeleted(String did) throws SQLException {
        update("""
                update watched_repo set state = 'deleted', deleted_at = coalesce(deleted_at, now()), updated_at = now()
                where did = ?""", did);
    }

    /**
     * Claims one repo whose backfill or resync is due (or whose resyncing replica stopped), with a
     * lease; any replica may take it.
     */
    public Optional<WatchedRepo> claimResync(Duration lease) throws SQLException {
        try (Connection c = db.getConnection()) {
            c.setAutoCommit(false);
            try (PreparedStatement q = c.prepareStatement("""
                    update watched_repo w set state = 'resyncing', attempts = w.attempts + 1,
                        lease_expires_at = now() + make_interval(secs => ?), updated_at = now()
                    from (select did from watched_repo
                          where (state in ('pending', 'desynchronized', 'error') and retry_after <= now())
                             or (state = 'resyncing' and lease_expires_at < now())
                          order by retry_after limit 1 for update skip locked) due
                    where w.did = due.did
                    returning w.did, w.state, w.pds_url, w.rev, w.data_cid, w.attempts, w.last_error, w.last_event_time""")) {
                q.setDouble(1, lease.toMillis() / 1000.0);
                try (ResultSet rs = q.executeQuery()) {
                    Optional<WatchedRepo> claimed = rs.next() ? Optional.of(read(rs)) : Optional.empty();
                    c.commit();
                    return claimed;
                }
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        }
    }

    /** A resync failed: try again after a backoff that doubles per attempt. */
    public void resyncFailed(String did, String error, Duration retryIn) throws SQLException {
        update("""
                update watched_repo set state = 'error', last_error = ?, lease_expires_at = null,
                    retry_after = now() + make_interval(secs => ?), updated_at = now()
                where did = ? and state = 'resyncing'""", truncate(error), retryIn.toMillis() / 1000.0, did);
    }

    /** Deleted accounts whose grace period is over. */
    public List<String> deletedBefore(Instant cutoff) throws SQLException {
        List<String> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select did from watched_repo where state = 'deleted' and deleted_at < ?")) {
            q.setObject(1, cutoff.atOffset(java.time.ZoneOffset.UTC));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getString(1));
                }
            }
        }
        return out;
    }

    // --- events kept while a repo resyncs

    /**
     * Keeps a live event of a resyncing repo for after the resync, in the caller's transaction (which holds
     * the repo's row lock). The buffer holds at most {@code maxEvents} events and {@code maxBytes} bytes:
     * past that nothing more is kept and the buffer is marked incomplete ({@link #bufferOverflowed}).
     *
     * @return whether the event was kept
     */
    public boolean buffer(String did, long seq, byte[] frame, int maxEvents, long maxBytes) throws SQLException {
        try (Connection c = db.getConnection()) {
            try (PreparedStatement room = c.prepareStatement("""
                    update watched_repo set buffered_events = buffered_events + 1,
                        buffered_bytes = buffered_bytes + ?
                    where did = ? and not buffer_overflowed and buffered_events < ? and buffered_bytes + ? <= ?""")) {
                room.setLong(1, frame.length);
                room.setString(2, did);
                room.setInt(3, maxEvents);
                room.setLong(4, frame.length);
                room.setLong(5, maxBytes);
                if (room.executeUpdate() == 0) {
                    try (PreparedStatement full = c.prepareStatement(
                            "update watched_repo set buffer_overflowed = true where did = ?")) {
                        full.setString(1, did);
                        full.executeUpdate();
                    }
                    return false;
                }
            }
            try (PreparedStatement q = c.prepareStatement(
                    "insert into repo_event_buffer (did, seq, frame) values (?, ?, ?) on conflict do nothing")) {
                q.setString(1, did);
                q.setLong(2, seq);
                q.setBytes(3, frame);
                q.executeUpdate();
            }
            return true;
        }
    }

    /** Whether events were dropped because the repo's buffer was full (the buffer cannot be replayed then). */
    public boolean bufferOverflowed(String did) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select buffer_overflowed from watched_repo where did = ?")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() && rs.getBoolean(1);
            }
        }
    }

    /** The sequence numbers of the repo's buffered events, in order (the frames are read one at a time). */
    public List<Long> bufferedSeqs(String did) throws SQLException {
        List<Long> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select seq from repo_event_buffer where did = ? order by seq")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(rs.getLong(1));
                }
            }
        }
        return out;
    }

    /** One buffered frame: replays hold one frame in memory at a time, not the whole buffer. */
    public Optional<byte[]> bufferedFrame(String did, long seq) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select frame from repo_event_buffer where did = ? and seq = ?")) {
            q.setString(1, did);
            q.setLong(2, seq);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getBytes(1)) : Optional.empty();
            }
        }
    }

    /** Empties the repo's buffer and resets its bounds, in the caller's transaction. */
    public void clearBuffer(String did) throws SQLException {
        update("delete from repo_event_buffer where did = ?", did);
        update("""
                update watched_repo set buffered_events = 0, buffered_bytes = 0, buffer_overflowed = false
                where did = ?""", did);
    }

    // --- problems shown on the user's page

    public void problem(String did, String path, String problem) throws SQLException {
        update("""
                insert into record_problem (did, path, problem) values (?, ?, ?)
                on conflict (did, path) do update set problem = excluded.problem, seen_at = now()""",
                did, path, truncate(problem));
    }

    public void clearProblem(String did, String path) throws SQLException {
        update("delete from record_problem where did = ? and path = ?", did, path);
    }

    public Map<String, String> problems(String did) throws SQLException {
        Map<String, String> out = new java.util.TreeMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select path, problem from record_problem where did = ?")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    // --- firehose cursors

    public Optional<Long> cursor(String upstream) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select seq from firehose_cursor where upstream = ?")) {
            q.setString(1, upstream);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(rs.getLong(1)) : Optional.empty();
            }
        }
    }

    public void saveCursor(String upstream, long seq) throws SQLException {
        update("""
                insert into firehose_cursor (upstream, seq) values (?, ?)
                on conflict (upstream) do update set seq = greatest(firehose_cursor.seq, excluded.seq), updated_at = now()""",
                upstream, seq);
    }

    private void update(String sql, Object... params) throws SQLException {
        try (Connection c = db.getConnection(); PreparedStatement q = c.prepareStatement(sql)) {
            for (int i = 0; i < params.length; i++) {
                q.setObject(i + 1, params[i]);
            }
            q.executeUpdate();
        }
    }

    private static WatchedRepo read(ResultSet rs) throws SQLException {
        OffsetDateTime eventTime = rs.getObject(8, OffsetDateTime.class);
        return new WatchedRepo(rs.getString(1), RepoState.fromDb(rs.getString(2)), rs.getString(3), rs.getString(4),
                rs.getString(5), rs.getInt(6), rs.getString(7), eventTime == null ? null : eventTime.toInstant());
    }

    private static String truncate(String s) {
        return s == null || s.length() <= 500 ? s : s.substring(0, 500);
    }
}
