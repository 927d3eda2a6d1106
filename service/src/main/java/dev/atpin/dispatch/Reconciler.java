package dev.atpin.dispatch;

import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.IpldException;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Compares what Postgres says each node holds with what the node really pins, and repairs the
 * difference: a placement recorded as pinned but missing on its node is queued again (the node
 * lost it, or someone unpinned it by hand); a pin with our name prefix that no placement explains
 * (left by a crash between Kubo and the database) is removed. Pins without our prefix are never touched.
 */
@ApplicationScoped
public class Reconciler {

    private static final Logger LOG = Logger.getLogger(Reconciler.class);

    private final KuboNodes nodes;
    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final MeterRegistry metrics;

    Reconciler(KuboNodes nodes, AgroalDataSource db, DispatchConfig config, MeterRegistry metrics) {
        this.nodes = nodes;
        this.db = db;
        this.config = config;
        this.metrics = metrics;
    }

    @Scheduled(every = "${atpin.dispatch.reconcile-interval:5m}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void reconcileAll() {
        if (!config.enabled()) {
            return;
        }
        for (KuboClient node : nodes.all()) {
            try {
                reconcile(node);
            } catch (KuboException | SQLException e) {
                LOG.infof("reconciliation of %s skipped: %s", node.name(), e.getMessage());
            }
        }
    }

    /** One node: returns how many placements were re-queued and how many orphan pins were removed. */
    public int[] reconcile(KuboClient node) throws KuboException, SQLException {
        OffsetDateTime snapshotAt = OffsetDateTime.now(ZoneOffset.UTC);
        Set<String> ours = new HashSet<>();
        for (Map.Entry<String, String> pin : node.recursivePins().entrySet()) {
            if (pin.getValue().startsWith(config.pinNamePrefix())) {
                try {
                    ours.add(Cid.parse(pin.getKey()).normalized());
                } catch (IpldException e) {
                    LOG.debugf("unparseable pin %s on %s", pin.getKey(), node.name());
                }
            }
        }
        int requeued = requeueMissing(node.name(), ours, snapshotAt);
        int removed = 0;
        for (String cid : unexplained(node.name(), ours)) {
            node.pinRm(cid);
            removed++;
        }
        if (requeued > 0 || removed > 0) {
            LOG.infof("reconciled %s: %d lost pin(s) queued again, %d orphan pin(s) removed", node.name(), requeued, removed);
            metrics.counter("atpin.reconciler.requeued", "node", node.name()).increment(requeued);
            metrics.counter("atpin.reconciler.orphans.removed", "node", node.name()).increment(removed);
        }
        return new int[] {requeued, removed};
    }

    /** Placements recorded as pinned before the snapshot whose pin the node does not have. */
    private int requeueMissing(String node, Set<String> pinned, OffsetDateTime snapshotAt) throws SQLException {
        int requeued = 0;
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select cid from placement where node = ? and state = 'pinned' and updated_at < ?");
                PreparedStatement requeue = c.prepareStatement("""
                        update placement set state = 'queued', attempts = 0, next_attempt_at = now(),
                               last_error = 'the node no longer held the pin', updated_at = now()
                        where cid = ? and node = ? and state = 'pinned'""")) {
            q.setString(1, node);
            q.setObject(2, snapshotAt);
            Set<String> lost = new HashSet<>();
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    if (!pinned.contains(rs.getString(1))) {
                        lost.add(rs.getString(1));
                    }
                }
            }
            for (String cid : lost) {
                requeue.setString(1, cid);
                requeue.setString(2, node);
                requeued += requeue.executeUpdate();
                ContentLedger.propagate(c, cid);
            }
        }
        return requeued;
    }

    /** Our pins on the node that no placement row (in any state) accounts for. */
    private Set<String> unexplained(String node, Set<String> ours) throws SQLException {
        Map<String, Boolean> known = new HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select cid from placement where node = ? and cid = any(?)")) {
            q.setString(1, node);
            q.setArray(2, c.createArrayOf("text", ours.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    known.put(rs.getString(1), true);
                }
            }
        }
        Set<String> orphans = new HashSet<>(ours);
        orphans.removeAll(known.keySet());
        return orphans;
    }
}
