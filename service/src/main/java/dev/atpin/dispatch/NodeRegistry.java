package dev.atpin.dispatch;

import dev.atpin.ipld.Multiaddr;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.kubo.NodeIdentity;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * Keeps the {@code node} table in step with the configured Kubo nodes and their health, and
 * knows each node's delegate multiaddrs (with {@code /p2p/<peerID>}).
 */
@ApplicationScoped
public class NodeRegistry {

    private static final Logger LOG = Logger.getLogger(NodeRegistry.class);
    private static final int MAX_DELEGATES_PER_NODE = 4;

    private final KuboNodes nodes;
    private final AgroalDataSource db;
    private final Map<String, List<String>> delegates = new ConcurrentHashMap<>();
    private final Map<String, Boolean> healthy = new ConcurrentHashMap<>();

    NodeRegistry(KuboNodes nodes, AgroalDataSource db) {
        this.nodes = nodes;
        this.db = db;
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement upsert = c.prepareStatement("""
                        insert into node (name, rpc_url) values (?, ?)
                        on conflict (name) do update set rpc_url = excluded.rpc_url""")) {
            for (KuboClient node : nodes.all()) {
                upsert.setString(1, node.name());
                upsert.setString(2, node.rpcUrl());
                upsert.executeUpdate();
            }
        }
        refresh();
    }

    @Scheduled(every = "${atpin.dispatch.health-interval:10s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        for (KuboClient node : nodes.all()) {
            try {
                NodeIdentity id = node.id();
                List<String> addrs = delegateAddresses(node.name(), id);
                delegates.put(node.name(), addrs);
                healthy.put(node.name(), true);
                record(node.name(), id, addrs, null);
            } catch (KuboException e) {
                if (!Boolean.FALSE.equals(healthy.put(node.name(), false))) {
                    LOG.warnf("Kubo node %s is unhealthy: %s", node.name(), e.getMessage());
                }
                record(node.name(), null, null, e.getMessage());
            }
        }
    }

    /** The multiaddrs to hand clients for {@code node}, empty while the node was never reached. */
    public List<String> delegatesOf(String node) {
        return delegates.getOrDefault(node, List.of());
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
     * Configured {@code announce} addresses win; otherwise the node's own, public ones first.
     * Loopback and private addresses are kept only when the node has nothing else (local runs).
     */
    private List<String> delegateAddresses(String name, NodeIdentity id) {
        Optional<List<String>> announce = nodes.announce(name);
        List<String> candidates = announce.orElse(id.addresses());
        List<String> publicAddrs = new ArrayList<>();
        List<String> privateAddrs = new ArrayList<>();
        for (String text : candidates) {
            Multiaddr addr;
            try {
                addr = Multiaddr.parse(text).withPeerId(id.peerId());
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean local = addr.ipAddress().map(ip -> ip.isLoopbackAddress() || ip.isSiteLocalAddress()
                    || ip.isLinkLocalAddress() || ip.isAnyLocalAddress()).orElse(false);
            (local && announce.isEmpty() ? privateAddrs : publicAddrs).add(addr.toString());
        }
        List<String> chosen = publicAddrs.isEmpty() ? privateAddrs : publicAddrs;
        return List.copyOf(chosen.subList(0, Math.min(chosen.size(), MAX_DELEGATES_PER_NODE)));
    }

    private void record(String name, NodeIdentity id, List<String> addrs, String error) {
        try (Connection c = db.getConnection()) {
            if (id != null) {
                try (PreparedStatement ok = c.prepareStatement("""
                        update node set peer_id = ?, multiaddrs = ?, agent = ?, healthy = true,
                                        last_seen = now(), last_error = null where name = ?""")) {
                    ok.setString(1, id.peerId());
                    ok.setArray(2, c.createArrayOf("text", addrs.toArray()));
                    ok.setString(3, id.agentVersion());
                    ok.setString(4, name);
                    ok.executeUpdate();
                }
            } else {
                try (PreparedStatement bad = c.prepareStatement(
                        "update node set healthy = false, last_error = ? where name = ?")) {
                    bad.setString(1, error);
                    bad.setString(2, name);
                    bad.executeUpdate();
                }
            }
        } catch (SQLException e) {
            LOG.warn("could not record node health", e);
        }
    }
}
