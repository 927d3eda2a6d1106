package dev.atpin.process;

import dev.atpin.testing.IpfsClusterPeers;
import dev.atpin.testing.KuboDaemon;
import java.util.Comparator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * {@link PinBackendBehaviour} on the IPFS Cluster backend: three cluster peers (crdt, one Kubo each, repinning on);
 * the service talks to the first peer only, and the cluster keeps R copies itself.
 */
class IpfsClusterBackendIT extends PinBackendBehaviour {

    private IpfsClusterPeers cluster;

    @Override
    void startDaemons(Map<String, String> env) {
        cluster = IpfsClusterPeers.start("behaviour-peer", 3);
        env.put("ATPIN_DISPATCH_BACKEND", "ipfs-cluster");
        env.put("ATPIN_IPFS_CLUSTER_REST_URL", cluster.first().restUrl());
        env.put("ATPIN_IPFS_CLUSTER_IPFS_RPC_URL", cluster.first().kubo().apiUrl());
        env.put("ATPIN_IPFS_CLUSTER_STATUS_POLL_INTERVAL", "200ms");
    }

    @Override
    void stopDaemons() {
        if (cluster != null) {
            cluster.close();
        }
    }

    @Override
    List<KuboDaemon> kubos() {
        return cluster.peers().stream().map(IpfsClusterPeers.Peer::kubo).toList();
    }

    /** The cluster pins on each peer's Kubo under its own pin name: any recursive pin of the CID is a copy. */
    @Override
    Set<String> holders(String cid) {
        Set<String> out = new LinkedHashSet<>();
        for (IpfsClusterPeers.Peer peer : cluster.peers()) {
            if (peer.isAlive() && peer.kubo().recursivePins().containsKey(cid)) {
                out.add(peer.name());
            }
        }
        return out;
    }

    /** Never the first peer: the service's REST endpoint and fetcher. */
    @Override
    String killOneHolding(List<String> cids) {
        IpfsClusterPeers.Peer victim = cluster.peers().stream().skip(1)
                .max(Comparator.comparingLong(p -> cids.stream().filter(c -> holders(c).contains(p.name())).count()))
                .orElseThrow();
        victim.kill();
        return victim.name();
    }
}
