package dev.atpin.dispatch;

import dev.atpin.ipld.Cid;
import dev.atpin.ipld.IpldException;
import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.dispatch.backend.PinBackendException;
import dev.atpin.kubo.KuboClient;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.io.UncheckedIOException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Compares what Postgres says each node holds with what the node really pins, and repairs the difference both
 * ways: a placement recorded as pinned but missing on its node is queued again (the node lost it, or someone
 * unpinned it by hand); a pin with our name prefix that no placement explains (a crash between Kubo and the
 * database, or a copy released while its node was down) is removed. Pins without our prefix are never touched.
 *
 * <p>The node's pinset is streamed ({@link PinBackend#streamOurPins}: {@code pin/ls --stream} on Kubo,
 * {@code GET /allocations} on IPFS Cluster) and handled in chunks of {@value #CHUNK}: each
 * chunk marks the placements it explains ({@code verified_at}); after the stream, pinned placements older than
 * its start and not marked were lost. Nothing holds the whole pinset, and no query carries more than a chunk.
 * One replica reconciles a given node at a time (a Postgres advisory lock per node).
 *
 * <p>A target that keeps the copies itself (IPFS Cluster) reports with each pin the replication it keeps; that is
 * recorded on the placement ({@code replication_asked}), and where it is not the content's R the {@link Healer}'s
 * next round asks the target for R ({@link PinBackend#updateReplication}): reconciliation is the backstop for a
 * change of R the target never got or lost (the healer asks as soon as R changes, ADR 0104). Such differences are
 * counted. Kubo-direct reports 0: its copies are our placements, which the healer adds and releases itself.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);
    static final int CHUNK = 1000;
    /** Orphans removed per round and node; more wait for the next round. */
    private static final int MAX_ORPHANS = 10_000;

    private final PinBackend backend;
    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final MeterRegistry metrics;

    Reconciler(PinBackend backend, AgroalDataSource db, DispatchConfig config, MeterRegistry metrics) {
        this.backend = backend;
        this.db = db;
        this.config = config;
        this.metrics = metrics;
    }

    @Scheduled(every = "${atpin.dispatch.reconcile-interval:5m}", delayed = "${atpin.dispatch.reconcile-delay:30s}",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcileAll() {
        if (!config.enabled()) {
            return;
        }
        for (String node : backend.targets()) {
            try {
                reconcile(node);
            } catch (PinBackendException | SQLException e) {
                LOG.infof("reconciliation of %s skipped: %s", node, e.getMessage());
            }
        }
    }

    /**
     * One node, when no other replica is reconciling it: returns how many placements were re-queued and how many
     * orphan pins were removed ({@code {0, 0}} when another replica holds the node).
     */
    public int[] reconcile(String node) throws PinBackendException, SQLException {
        try (Connection session = db.getConnection()) {
            if (!advisory(session, "pg_try_advisory_lock", node)) {
                return new int[] {0, 0};
            }
            try {
                return reconcileLocked(node);
            } finally {
                advisory(session, "pg_advisory_unlock", node);
            }
        }
    }

    /** {@link #reconcile(String)} for a Kubo node's client. */
    public int[] reconcile(KuboClient node) throws PinBackendException, SQLException {
        return reconcile(node.name());
    }

    private static boolean advisory(Connection session, String function, String node) throws SQLException {
        try (PreparedStatement q = session.prepareStatement(
                "select " + function + "(hashtextextended('atpin reconcile ' || ?, 0))")) {
            q.setString(1, node);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    private int[] reconcileLocked(String node) throws PinBackendException, SQLException {
        Timestamp snapshotAt;
        try (Connection c = db.getConnection();
                PreparedStatement now = c.prepareStatement("select clock_timestamp()");
                ResultSet rs = now.executeQuery()) {
            rs.next();
            snapshotAt = rs.getTimestamp(1);
        }
        Chunk chunk = new Chunk();
        List<String> orphans = new ArrayList<>();
        Map<String, Integer> replicationChanged = new LinkedHashMap<>();
        try {
            // Only our pins come through: a pin without our prefix is never looked at.
            backend.streamOurPinsWithReplication(node, (cid, replication) -> {
                try {
                    chunk.add(Cid.parse(cid).normalized(), replication);
                } catch (IpldException e) {
                    LOG.debugf("unparseable pin %s on %s", cid, node);
                    return;
                }
                if (chunk.size() == CHUNK) {
                    markChunk(node, chunk, snapshotAt, orphans, replicationChanged);
                }
            });
            markChunk(node, chunk, snapshotAt, orphans, replicationChanged);
        } catch (UncheckedIOException e) {
            throw (SQLException) e.getCause().getCause();
        }
        int requeued = requeueUnmarked(node, snapshotAt);
        int removed = 0;
        for (String cid : orphans) {
            if (stillUnexplained(node, cid)) {
                backend.unpinOurs(node, cid);
                removed++;
            }
        }
        // A backend that replicates itself keeps the replication it was last asked for, now recorded on each
        // placement: where it is not the content's R, the healer's next round asks for R.
        if (!replicationChanged.isEmpty()) {
            LOG.infof("reconciled %s: %d pin(s) keep another replication than their content's R (the healer asks)",
                    node, replicationChanged.size());
            count("atpin.reconciler.replication.differing", node, replicationChanged.size());
        }
        int recovered = backend.recoverFailed(node);
        count("atpin.reconciler.runs", node, 1);
        if (requeued > 0 || removed > 0) {
            LOG.infof("reconciled %s: %d lost pin(s) queued again, %d orphan pin(s) removed", node, requeued,
                    removed);
            count("atpin.reconciler.requeued", node, requeued);
            count("atpin.reconciler.orphans.removed", node, removed);
        }
        if (recovered > 0) {
            LOG.infof("reconciled %s: %d failed pin(s) sent to recover", node, recovered);
            count("atpin.reconciler.recovered", node, recovered);
        }
        return new int[] {requeued, removed};
    }

    /** A per-node counter, unless the node was deregistered meanwhile (its meters are gone and stay gone). */
    private void count(String name, String node, double amount) {
        if (backend.targets().contains(node)) {
            metrics.counter(name, "node", node).increment(amount);
        }
    }

    /** One chunk of the stream: CIDs and the copies the target keeps of each (0: our placements count them). */
    private static final class Chunk {
        final List<String> cids = new ArrayList<>(CHUNK);
        final List<Integer> replications = new ArrayList<>(CHUNK);

        void add(String cid, int replication) {
            cids.add(cid);
            replications.add(replication);
        }

        int size() {
            return cids.size();
        }

        void clear() {
            cids.clear();
            replications.clear();
        }
    }

    /**
     * Marks the chunk's placements as seen and records the replication their target keeps (when it reports one); our
     * pins no placement explains are collected as orphans, and pins whose target keeps another number of copies
     * than the wanted content's R as replication changes.
     */
    private void markChunk(String node, Chunk chunk, Timestamp snapshotAt, List<String> orphans,
            Map<String, Integer> replicationChanged) {
        if (chunk.size() == 0) {
            return;
        }
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        with seen as (select * from unnest(?::text[], ?::int[]) as s(cid, r)),
                        marked as (update placement p set verified_at = ?,
                                          replication_asked = case when seen.r > 0 then seen.r
                                                                   else p.replication_asked end,
                                          replication_wanted = case when seen.r > 0
                                              then (select ct.replication from content ct where ct.cid = p.cid)
                                              else p.replication_wanted end
                                   from seen where p.node = ? and p.cid = seen.cid returning p.cid)
                        select s.cid, s.cid not in (select cid from marked), ct.replication
                        from seen s left join content ct on ct.cid = s.cid
                        where s.cid not in (select cid from marked)
                           or (s.r > 0 and ct.refcount > 0 and ct.replication <> s.r)""")) {
            q.setArray(1, c.createArrayOf("text", chunk.cids.toArray()));
            q.setArray(2, c.createArrayOf("int4", chunk.replications.toArray()));
            q.setTimestamp(3, snapshotAt);
            q.setString(4, node);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (rs.getBoolean(2)) {
                        if (orphans.size() < MAX_ORPHANS) {
                            orphans.add(rs.getString(1));
                        }
                    } else if (replicationChanged.size() < MAX_ORPHANS) {
                        replicationChanged.put(rs.getString(1), rs.getInt(3));
                    }
                }
            }
        } catch (SQLException e) {
            throw new UncheckedIOException(new java.io.IOException(e));
        }
        chunk.clear();
    }

    /** Placements pinned before the snapshot that the stream did not mark: the node no longer holds them. */
    private int requeueUnmarked(String node, Timestamp snapshotAt) throws SQLException {
        List<String> lost = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update placement set state = 'queued', attempts = 0, next_attempt_at = now(),
                               last_error = 'the node no longer held the pin', updated_at = now()
                        where node = ? and state = 'pinned' and updated_at < ?
                          and (verified_at is null or verified_at < ?)
                        returning cid""")) {
            q.setString(1, node);
            q.setTimestamp(2, snapshotAt);
            q.setTimestamp(3, snapshotAt);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    lost.add(rs.getString(1));
                }
            }
            Set<String> done = new HashSet<>();
            for (String cid : lost) {
                if (done.add(cid)) {
                    ContentLedger.propagate(c, cid);
                }
            }
        }
        return lost.size();
    }

    /** Checked again just before the unpin: a placement may have been made for it since the chunk was read. */
    private boolean stillUnexplained(String node, String cid) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select 1 from placement where node = ? and cid = ?")) {
            q.setString(1, node);
            q.setString(2, cid);
            try (ResultSet rs = q.executeQuery()) {
                return !rs.next();
            }
        }
    }
}
