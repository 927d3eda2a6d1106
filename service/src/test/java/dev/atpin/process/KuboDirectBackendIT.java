package dev.atpin.process;

import dev.atpin.testing.KuboDaemon;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** {@link PinBackendBehaviour} on the Kubo-direct backend: three Kubo nodes, our placements and healer. */
class KuboDirectBackendIT extends PinBackendBehaviour {

    private final Map<String, KuboDaemon> nodes = new LinkedHashMap<>();
    private final Set<String> killed = new LinkedHashSet<>();

    @Override
    void startDaemons(Map<String, String> env) {
        for (String name : List.of("alpha", "beta", "gamma")) {
            nodes.put(name, KuboDaemon.startRestartable("direct-" + name));
        }
        List<KuboDaemon> all = new ArrayList<>(nodes.values());
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                all.get(i).connect(all.get(j));
            }
        }
        env.put("ATPIN_DISPATCH_BACKEND", "kubo");
        nodes.forEach((name, node) -> env.put("ATPIN_KUBO_NODES_" + name.toUpperCase() + "_RPC_URL", node.apiUrl()));
    }

    @Override
    void stopDaemons() {
        nodes.values().forEach(KuboDaemon::close);
    }

    @Override
    List<KuboDaemon> kubos() {
        return List.copyOf(nodes.values());
    }

    @Override
    Set<String> holders(String cid) {
        Set<String> out = new LinkedHashSet<>();
        nodes.forEach((name, node) -> {
            if (!killed.contains(name) && node.recursivePins().getOrDefault(cid, "").startsWith("atpin:")) {
                out.add(name);
            }
        });
        return out;
    }

    @Override
    String killOneHolding(List<String> cids) {
        String victim = nodes.keySet().stream()
                .max(Comparator.comparingLong(n -> cids.stream().filter(c -> holders(c).contains(n)).count()))
                .orElseThrow();
        killed.add(victim);
        nodes.get(victim).kill();
        return victim;
    }
}
