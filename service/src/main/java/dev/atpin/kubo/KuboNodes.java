package dev.atpin.kubo;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentSkipListMap;
import org.jboss.logging.Logger;

/**
 * A client for each Kubo node, by node name: the configured ones ({@code atpin.kubo.nodes}, fixed for the life of
 * the process) and the ones operators registered through the admin API ({@link RegisteredNodes}, brought in step by
 * {@link #sync} with every health poll). A configured node wins over a registration of the same name.
 */
@ApplicationScoped
public class KuboNodes {

    private static final Logger LOG = Logger.getLogger(KuboNodes.class);

    private final KuboConfig config;
    private final ObjectMapper json;
    // name order, so that targets (and polls) come in a stable order; concurrent: sync runs while workers read
    private final Map<String, KuboClient> clients = new ConcurrentSkipListMap<>();
    private final Map<String, RegisteredNode> registered = new ConcurrentSkipListMap<>();

    KuboNodes(KuboConfig config, ObjectMapper json) {
        this.config = config;
        this.json = json;
        config.nodes().forEach((name, node) ->
                clients.put(name, new KuboClient(name, node.rpcUrl(), config.rpcTimeout(), json, node.authorization())));
    }

    public Collection<KuboClient> all() {
        return List.copyOf(clients.values());
    }

    public Optional<KuboClient> byName(String name) {
        return Optional.ofNullable(clients.get(name));
    }

    public Optional<List<String>> announce(String name) {
        KuboConfig.Node configured = config.nodes().get(name);
        if (configured != null) {
            return configured.announce();
        }
        return Optional.ofNullable(registered.get(name)).flatMap(RegisteredNode::announce);
    }

    /** Timeout of one short RPC call, also used to resolve a registered node's host. */
    public Duration rpcTimeout() {
        return config.rpcTimeout();
    }

    /** Whether {@code name} comes from the configuration (not removable through the admin API). */
    public boolean isConfigured(String name) {
        return config.nodes().containsKey(name);
    }

    /**
     * Makes the registered nodes exactly {@code current}: new ones get a client, changed ones a new client, gone
     * ones lose theirs. Configured nodes are never touched.
     *
     * @return the names added or removed
     */
    public Set<String> sync(List<RegisteredNode> current) {
        Set<String> changed = new HashSet<>();
        Set<String> seen = new HashSet<>();
        for (RegisteredNode node : current) {
            if (isConfigured(node.name())) {
                if (registered.put(node.name(), node) == null) {
                    LOG.warnf("registered Kubo node %s is also configured: the configuration wins", node.name());
                }
                continue;
            }
            seen.add(node.name());
            if (!Objects.equals(registered.put(node.name(), node), node)) {
                clients.put(node.name(), new KuboClient(node.name(), node.rpcUrl(), config.rpcTimeout(), json,
                        node.authorization()));
                changed.add(node.name());
            }
        }
        for (String name : new ArrayList<>(registered.keySet())) {
            if (!isConfigured(name) && !seen.contains(name)) {
                registered.remove(name);
                clients.remove(name);
                changed.add(name);
            }
        }
        return changed;
    }
}
