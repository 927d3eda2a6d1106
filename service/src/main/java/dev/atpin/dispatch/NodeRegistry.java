package dev.atpin.dispatch;

import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.dispatch.backend.PinBackendException;
import dev.atpin.dispatch.backend.TargetProbe;
import dev.atpin.kubo.NodeIdentity;
import dev.atpin.kubo.RepoStat;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the {@code node} table in step with the {@link PinBackend}'s targets (the configured and registered Kubo
 * nodes, or the one IPFS Cluster): with every health poll it first brings the targets in step with the nodes
 * operators registered ({@link PinBackend#refreshTargets}), then polls each one ({@link PinBackend#probe}: for Kubo
 * {@code id} and {@code repo/stat}), records peer ID, addresses and space, and derives its {@link NodeState}. Knows each target's delegate multiaddrs (with
 * {@code /p2p/<peerID>}).
 */
@ApplicationScoped
public class NodeRegistry {

    private static final Logger LOG = Logger.getLogger(NodeRegistry.class);

    private final PinBackend backend;
    private final AgroalDataSource db;
    private final Map<String, List<String>> delegates = new ConcurrentHashMap<>();
    /** For a target that replicates itself: its answering peers with their delegates, as the last poll found them. */
    private final Map<String, Map<String, List<String>>> peers = new ConcurrentHashMap<>();
    private final Map<String, Boolean> healthy = new ConcurrentHashMap<>();
    private final Map<String, String> states = new ConcurrentHashMap<>();
    private final Map<String, NodeIdentity> identities = new ConcurrentHashMap<>();
    private final Map<String, String> errors = new ConcurrentHashMap<>();
    private final DispatchConfig config;

    private final MeterRegistry metrics;
    private final Set<String> gauged = ConcurrentHashMap.newKeySet();

    NodeRegistry(PinBackend backend, AgroalDataSource db, DispatchConfig config, MeterRegistry metrics) {
        this.backend = backend;
        this.db = db;
        this.config = config;
        this.metrics = metrics;
    }

    /** A target's gauges, registered when it is first seen (registered nodes come and go while we run). */
    private void gauges(String node) {
        if (!gauged.add(node)) {
            return;
        }
        // 1 while the node answers; the state gauge is 1 for the node's current state only.
        metrics.gauge("atpin.node.up", Tags.of("node", node), healthy, h -> Boolean.TRUE.equals(h.get(node)) ? 1 : 0);
        metrics.gauge("atpin.kubo.node.healthy", Tags.of("node", node), healthy,
                h -> Boolean.TRUE.equals(h.get(node)) ? 1 : 0);
        for (NodeState s : NodeState.values()) {
            metrics.gauge("atpin.node.state", Tags.of("node", node, "state", s.db()), states,
                    m -> s.db().equals(m.get(node)) ? 1 : 0);
        }
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        backend.refreshTargets();
        try (Connection c = db.getConnection();
                PreparedStatement upsert = c.prepareStatement("""
                        insert into node (name, rpc_url) values (?, ?)
                        on conflict (name) do update set rpc_url = excluded.rpc_url""")) {
            for (String node : backend.targets()) {
                upsert.setString(1, node);
                upsert.setString(2, backend.address(node));
                upsert.executeUpdate();
            }
            // A node taken out of the configuration is polled by nobody: without this its last state
            // (say active and answering) would stand forever and keep attracting placements.
            try (PreparedStatement gone = c.prepareStatement("""
                    update node set healthy = false, state = case when draining then 'draining' else 'down' end,
                           state_changed_at = now(), last_error = 'not configured on this replica'
                    where not (name = any(?)) and (healthy or state = 'active')""")) {
                gone.setArray(1, c.createArrayOf("text", backend.targets().toArray()));
                gone.executeUpdate();
            }
        }
        refresh();
    }

    @Scheduled(every = "${atpin.dispatch.health-interval:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        backend.refreshTargets();
        List<String> targets = backend.targets();
        // A registration deleted on any replica: this one stops reporting the node (its row is gone).
        for (Map<String, ?> known : List.of(delegates, peers, healthy, states, identities, errors)) {
            known.keySet().retainAll(targets);
        }
        for (String gone : gauged.stream().filter(n -> !targets.contains(n)).toList()) {
            // every meter naming the node (its gauges, the reconciler's counters): a deregistered node is not reported
            metrics.getMeters().stream().filter(m -> gone.equals(m.getId().getTag("node"))).toList()
                    .forEach(metrics::remove);
            gauged.remove(gone);
        }
        targets.forEach(this::poll);
    }

    /**
     * Brings this replica in step with a registration it just took or removed, without waiting for the next health
     * poll: a new node is polled at once, so that the operator sees its peer ID and space in the answer. Other
     * replicas follow with their next poll.
     */
    public void sync(String node) {
        backend.refreshTargets();
        if (backend.targets().contains(node)) {
            poll(node);
        }
    }

    private void poll(String node) {
        gauges(node);
        try {
            TargetProbe probe = backend.probe(node);
            delegates.put(node, probe.delegates());
            peers.put(node, probe.peers());
            healthy.put(node, true);
            identities.put(node, probe.identity());
            errors.remove(node);
            record(node, probe.identity(), probe.space(), probe.delegates(), null);
        } catch (PinBackendException e) {
            if (!Boolean.FALSE.equals(healthy.put(node, false))) {
                LOG.warnf("%s target %s is not answering: %s", backend.name(), node, e.getMessage());
            }
            errors.put(node, e.getMessage());
            record(node, null, null, null, e.getMessage());
        }
    }

    /**
     * The multiaddrs to hand clients for {@code node}, empty while the node was never reached; for a holder
     * {@code <target>/<peer>} those of that peer alone, empty while it is not answering.
     */
    public List<String> delegatesOf(String node) {
        int slash = node.indexOf(HOLDER_SEPARATOR);
        if (slash >= 0) {
            return peers.getOrDefault(node.substring(0, slash), Map.of())
                    .getOrDefault(node.substring(slash + 1), List.of());
        }
        return delegates.getOrDefault(node, List.of());
    }

    /**
     * Separates a target from one of its peers in a holder ({@code cluster/<peer ID>}, as {@code PinStore} lists the
     * holders of a content on a target that replicates itself); node names never contain it.
     */
    public static final char HOLDER_SEPARATOR = '/';

    /** The peers of {@code node} that answered its last poll ({@link TargetProbe#peers}); empty for a Kubo node. */
    public Set<String> livePeers(String node) {
        return peers.getOrDefault(node, Map.of()).keySet();
    }

    public boolean isHealthy(String node) {
        return healthy.getOrDefault(node, false);
    }

    /** Every delegate of every reachable node: the fallback when a content has no placement yet. */
    public List<String> anyDelegates() {
        List<String> all = new ArrayList<>();
        delegates.values().forEach(all::addAll);
        return all;
    }

    /**
     * Writes one poll's outcome and the state that follows from it: an answer makes the node active again
     * (unless an operator drains it); silence for longer than {@code down-after} (counted from the last answer,
     * or from registration for a node never reached) makes it down.
     */
    private void record(String name, NodeIdentity id, RepoStat stat, List<String> addrs, String error) {
        try (Connection c = db.getConnection()) {
            String state;
            if (id != null) {
                try (PreparedStatement ok = c.prepareStatement("""
                        update node set peer_id = ?, multiaddrs = ?, agent = ?, healthy = true,
                                        last_seen = now(), last_error = null,
                                        repo_size_bytes = ?, storage_max_bytes = ?, free_bytes = ?,
                                        state_changed_at = case when state = (case when draining then 'draining' else 'active' end)
                                                           then state_changed_at else now() end,
                                        state = case when draining then 'draining' else 'active' end
                        where name = ? returning state""")) {
                    ok.setString(1, id.peerId());
                    ok.setArray(2, c.createArrayOf("text", addrs.toArray()));
                    ok.setString(3, id.agentVersion());
                    ok.setLong(4, stat.repoSizeBytes());
                    ok.setLong(5, stat.storageMaxBytes());
                    ok.setLong(6, stat.freeBytes());
                    ok.setString(7, name);
                    state = single(ok);
                }
            } else {
                try (PreparedStatement bad = c.prepareStatement("""
                        with next as (
                            select case when draining then 'draining'
                                        when coalesce(last_seen, registered_at) < now() - make_interval(secs => ?)
                                        then 'down'
                                        else state end as state
                            from node where name = ?)
                        update node set healthy = false, last_error = ?,
                               state_changed_at = case when node.state = next.state then state_changed_at else now() end,
                               state = next.state
                        from next where name = ? returning node.state""")) {
                    bad.setDouble(1, config.downAfter().toMillis() / 1000.0);
                    bad.setString(2, name);
                    bad.setString(3, error);
                    bad.setString(4, name);
                    state = single(bad);
                }
            }
            noteState(name, state);
        } catch (SQLException e) {
            LOG.warn("could not record node health", e);
        }
    }

    private void noteState(String name, String state) {
        if (state == null) {
            return;
        }
        String before = states.put(name, state);
        if (before != null && !before.equals(state)) {
            LOG.infof("%s target %s is now %s (was %s)", backend.name(), name, state, before);
        }
    }

    private static String single(PreparedStatement q) throws SQLException {
        try (ResultSet rs = q.executeQuery()) {
            return rs.next() ? rs.getString(1) : null;
        }
    }

    /** The state this replica last recorded for {@code node} ({@link NodeState#DOWN} when never polled). */
    public NodeState stateOf(String node) {
        String state = states.get(node);
        return state == null ? NodeState.DOWN : NodeState.of(state);
    }

    /**
     * An operator's drain (true) or activate (false) of {@code node}, on the caller's connection (its
     * transaction also writes the audit entry). Draining takes effect at once; an activated node is active
     * again if it answered its last poll, down otherwise (the next answer makes it active).
     *
     * @return false when there is no such node
     */
    public static boolean setDraining(Connection c, String node, boolean draining) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                update node set draining = ?,
                       state = case when ? then 'draining'
                                    when state = 'draining' then case when healthy then 'active' else 'down' end
                                    else state end,
                       state_changed_at = now()
                where name = ?""")) {
            q.setBoolean(1, draining);
            q.setBoolean(2, draining);
            q.setString(3, node);
            return q.executeUpdate() > 0;
        }
    }

    /** What the node last said about itself; empty while it was never reached. */
    public Optional<NodeIdentity> identityOf(String node) {
        return Optional.ofNullable(identities.get(node));
    }

    /** Why the last poll of {@code node} failed; empty when it answered. */
    public Optional<String> errorOf(String node) {
        return Optional.ofNullable(errors.get(node));
    }

    /** Node names this replica knows, in name order. */
    public List<String> names() {
        return backend.targets();
    }
}
