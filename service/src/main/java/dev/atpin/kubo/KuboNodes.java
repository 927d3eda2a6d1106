package dev.atpin.kubo;

import com.fasterxml.jackson.databind.ObjectMapper;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** A client for each configured Kubo node, by node name. */
@ApplicationScoped
public class KuboNodes {

    private final Map<String, KuboClient> clients = new LinkedHashMap<>();
    private final KuboConfig config;

    KuboNodes(KuboConfig config, ObjectMapper json) {
        this.config = config;
        new TreeMap<>(config.nodes()).forEach((name, node) ->
                clients.put(name, new KuboClient(name, node.rpcUrl(), config.rpcTimeout(), json, node.authorization())));
    }

    public Collection<KuboClient> all() {
        return clients.values();
    }

    public Optional<KuboClient> byName(String name) {
        return Optional.ofNullable(clients.get(name));
    }

    public Optional<java.util.List<String>> announce(String name) {
        return Optional.ofNullable(config.nodes().get(name)).flatMap(KuboConfig.Node::announce);
    }
}
