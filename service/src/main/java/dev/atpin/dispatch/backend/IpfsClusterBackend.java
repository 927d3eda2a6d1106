package dev.atpin.dispatch.backend;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.dispatch.DispatchConfig;
import dev.atpin.ipfscluster.IpfsClusterClient;
import dev.atpin.ipfscluster.IpfsClusterConfig;
import dev.atpin.ipfscluster.IpfsClusterException;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboConfig;
import dev.atpin.kubo.NodeIdentity;
import dev.atpin.kubo.RepoStat;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import java.util.function.ObjIntConsumer;

/**
 * One IPFS Cluster is one target, {@value #TARGET}: we keep one placement per content on it and the cluster keeps
 * R copies on its peers ({@code replication-min = replication-max = R}), re-allocating them when a peer is lost;
 * for that its peers must run with {@code disable_repinning: false} (the cluster's default is {@code true}).
 *
 * <p>The cluster's pinset is shared and keyed by CID, so a pin is ours only when it carries our metadata
 * ({@code atpin=1}) and our name prefix. A CID someone else already pinned through the cluster is left exactly as
 * it is (we wait for it to be pinned, and never unpin it): rewriting its options would take it over.
 */
@ApplicationScoped
@Identifier(IpfsClusterBackend.NAME)
public class IpfsClusterBackend implements PinBackend {

    public static final String NAME = "ipfs-cluster";
    public static final String TARGET = "cluster";
    static final String OUR_METADATA = "atpin";
    private static final int MAX_DELEGATES_PER_PEER = 2;
    private static final int MAX_DELEGATES = 8;

    private final IpfsClusterClient cluster;
    private final KuboClient fetcher;
    private final DispatchConfig dispatch;
    private final ClusterStatusReader statuses;

    IpfsClusterBackend(IpfsClusterConfig config, DispatchConfig dispatch, KuboConfig kubo, ObjectMapper json) {
        this.dispatch = dispatch;
        this.cluster = new IpfsClusterClient(config.restUrl().orElseThrow(() -> PinBackendChoice.missing("rest-url")),
                config.timeout(), json, config.authorization());
        this.fetcher = new KuboClient(TARGET, config.ipfsRpcUrl().orElseThrow(() -> PinBackendChoice.missing("ipfs-rpc-url")),
                kubo.rpcTimeout(), json);
        this.statuses = new ClusterStatusReader(cluster, config.statusPollInterval(), config.statusPollMaxInterval());
    }

    @Override
    public String name() {
        return NAME;
    }

    /** One target, R copies on its peers: the placement row records which peers hold them. */
    @Override
    public boolean replicatesItself() {
        return true;
    }

    @Override
    public List<String> targets() {
        return List.of(TARGET);
    }

    @Override
    public String address(String target) {
        return cluster.restUrl();
    }

    /**
     * The peer we talk to names the target; its room is the most free space any peer reports (a content must fit
     * on one peer); the delegates are the IPFS daemons of every cluster peer (for a pin whose holders are not known
     * yet), and each answering peer's own (cluster peer ID → its daemon's addresses) for a pin whose holders are.
     */
    @Override
    public TargetProbe probe(String target) throws PinBackendException {
        try {
            JsonNode id = cluster.id();
            NodeIdentity identity = new NodeIdentity(id.path("ipfs").path("id").asText(),
                    texts(id.path("ipfs").path("addresses")), "ipfs-cluster/" + id.path("version").asText());
            List<String> delegates = new ArrayList<>();
            Map<String, List<String>> peers = new LinkedHashMap<>();
            cluster.peers(peer -> {
                JsonNode ipfs = peer.path("ipfs");
                if (ipfs.path("id").asText().isEmpty() || peer.path("id").asText().isEmpty()) {
                    return; // a peer whose daemon is not answering has nothing to offer
                }
                List<String> own = DelegateAddresses.choose(texts(ipfs.path("addresses")), ipfs.path("id").asText(),
                        false, MAX_DELEGATES_PER_PEER);
                peers.put(peer.path("id").asText(), List.copyOf(own));
                if (delegates.size() < MAX_DELEGATES) {
                    delegates.addAll(own);
                }
            });
            return new TargetProbe(identity, new RepoStat(0, mostFreeSpace()), List.copyOf(delegates), Map.copyOf(peers));
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    /** Without a {@code freespace} metric (another informer) the cluster's allocator alone decides room. */
    private long mostFreeSpace() throws IpfsClusterException {
        long most = -1;
        for (JsonNode metric : cluster.metrics("freespace")) {
            if (metric.path("valid").asBoolean(true)) {
                most = Math.max(most, Long.parseLong(metric.path("value").asText("0")));
            }
        }
        return most < 0 ? Long.MAX_VALUE : most;
    }

    @Override
    public KuboClient fetcher(String target) {
        return fetcher;
    }

    /**
     * Adds (or updates) our pin with R as both replication factors, then reads its status until R peers (or every
     * allocated peer, when the cluster has fewer) report it pinned. A pin in error everywhere it is allocated is
     * sent to {@code recover} once; still failing, or no status change for the no-progress timeout, fails.
     */
    @Override
    public List<String> pin(String target, String cid, String name, int replication, List<String> origins,
            LongConsumer progress) throws PinBackendException {
        try {
            Optional<JsonNode> existing = cluster.allocation(cid);
            if (existing.isEmpty() || isOurs(existing.get())) {
                cluster.pin(cid, pinOptions(name, replication, origins));
            }
            return awaitPinned(cid, replication, progress);
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    private Map<String, String> pinOptions(String name, int replication, List<String> origins) {
        Map<String, String> options = new LinkedHashMap<>();
        options.put("replication-min", Integer.toString(replication));
        options.put("replication-max", Integer.toString(replication));
        options.put("name", name);
        options.put("meta-" + OUR_METADATA, "1");
        if (!origins.isEmpty()) {
            options.put("origins", String.join(",", origins));
        }
        return options;
    }

    /**
     * Waits on the one status reader ({@link ClusterStatusReader}) rather than polling here: 64 workers each sleeping
     * a fixed interval between their own reads cost every pin up to that interval after the cluster had pinned it.
     */
    private List<String> awaitPinned(String cid, int replication, LongConsumer progress)
            throws IpfsClusterException, PinBackendException {
        String lastSeen = "";
        long lastChange = System.nanoTime();
        boolean recovered = false;
        try (ClusterStatusReader.Watch watch = statuses.watch(cid)) {
            while (true) {
                Optional<JsonNode> status = watch.next(dispatch.noProgressTimeout());
                if (status.isEmpty()) {
                    throw new PinBackendException("no status from IPFS Cluster for " + dispatch.noProgressTimeout().toSeconds()
                            + "s while it pinned " + cid + (lastSeen.isEmpty() ? "" : " (" + lastSeen + ")"));
                }
                PeerStatuses now = PeerStatuses.of(status.get());
                if (now.pinned() >= now.wanted(replication)) {
                    return now.pinnedOn();
                }
                if (now.failedEverywhere()) {
                    if (recovered) {
                        throw new PinBackendException("IPFS Cluster could not pin " + cid + ": " + now.firstError());
                    }
                    cluster.recover(cid);
                    recovered = true;
                    watch.soon();
                }
                if (!now.summary().equals(lastSeen)) {
                    lastSeen = now.summary();
                    lastChange = System.nanoTime();
                }
                if (now.busy()) {
                    progress.accept(now.pinned()); // peers are fetching: the lease must not lapse meanwhile
                } else if (System.nanoTime() - lastChange > dispatch.noProgressTimeout().toNanos()) {
                    throw new PinBackendException("no progress for " + dispatch.noProgressTimeout().toSeconds()
                            + "s while IPFS Cluster pinned " + cid + " (" + lastSeen + ")");
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new PinBackendException("interrupted");
        }
    }

    /** One {@code GET /pins?cids=} per {@value ClusterStatusReader#MAX_CIDS_PER_READ} CIDs. */
    @Override
    public Map<String, List<String>> holders(String target, List<String> cids) throws PinBackendException {
        Map<String, List<String>> out = new LinkedHashMap<>();
        try {
            for (int i = 0; i < cids.size(); i += ClusterStatusReader.MAX_CIDS_PER_READ) {
                cluster.statuses(cids.subList(i, Math.min(cids.size(), i + ClusterStatusReader.MAX_CIDS_PER_READ)),
                        status -> out.put(status.path("cid").asText(), PeerStatuses.of(status).pinnedOn()));
            }
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
        return out;
    }

    @Override
    public void unpinOurs(String target, String cid) throws PinBackendException {
        try {
            Optional<JsonNode> existing = cluster.allocation(cid);
            if (existing.isPresent() && isOurs(existing.get())) {
                cluster.unpin(cid);
            }
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    @Override
    public void streamOurPins(String target, Consumer<String> each) throws PinBackendException {
        streamOurPinsWithReplication(target, (cid, replication) -> each.accept(cid));
    }

    /** Our pins with their {@code replication_factor_min} (we set min = max = R). */
    @Override
    public void streamOurPinsWithReplication(String target, ObjIntConsumer<String> each) throws PinBackendException {
        try {
            cluster.allocations(pin -> {
                if (isOurs(pin)) {
                    each.accept(pin.path("cid").asText(), pin.path("replication_factor_min").asInt(0));
                }
            });
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    /**
     * Re-adds our pin with R as both replication factors, keeping its name and metadata (a pin update: the cluster
     * keeps the current allocations it still may and adds or drops peers to match). Not ours, or gone: left alone.
     */
    @Override
    public void updateReplication(String target, String cid, int replication) throws PinBackendException {
        try {
            Optional<JsonNode> existing = cluster.allocation(cid);
            if (existing.isEmpty() || !isOurs(existing.get())
                    || existing.get().path("replication_factor_min").asInt(0) == replication
                            && existing.get().path("replication_factor_max").asInt(0) == replication) {
                return;
            }
            List<String> origins = texts(existing.get().path("origins"));
            cluster.pin(cid, pinOptions(existing.get().path("name").asText(), replication, origins));
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    /**
     * The cluster retries failed pins itself only every {@code pin_recover_interval}; ours in an error status are
     * sent back at once so that a content does not sit below R for that long.
     */
    @Override
    public int recoverFailed(String target) throws PinBackendException {
        List<String> failed = new ArrayList<>();
        try {
            cluster.statuses("error", status -> {
                if (status.path("metadata").path(OUR_METADATA).asText().equals("1")) {
                    failed.add(status.path("cid").asText());
                }
            });
            for (String cid : failed) {
                cluster.recover(cid);
            }
        } catch (IpfsClusterException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
        return failed.size();
    }

    private boolean isOurs(JsonNode pin) {
        return pin.path("metadata").path(OUR_METADATA).asText().equals("1")
                && pin.path("name").asText().startsWith(dispatch.pinNamePrefix());
    }

    private static List<String> texts(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(a -> out.add(a.asText()));
        return out;
    }

    /**
     * One read of a pin's {@code peer_map}: how many peers are at which status, and which peers (cluster peer IDs,
     * the map's keys, in their order) report it pinned.
     */
    record PeerStatuses(int pinned, int fetching, int failed, int allocated, int peers, String firstError,
            String summary, List<String> pinnedOn) {

        static PeerStatuses of(JsonNode status) {
            int pinned = 0;
            int busy = 0;
            int failed = 0;
            String firstError = "";
            Map<String, Integer> counts = new TreeMap<>();
            List<String> pinnedOn = new ArrayList<>();
            for (Iterator<Map.Entry<String, JsonNode>> it = status.path("peer_map").fields(); it.hasNext(); ) {
                Map.Entry<String, JsonNode> entry = it.next();
                JsonNode peer = entry.getValue();
                String st = peer.path("status").asText();
                counts.merge(st, 1, Integer::sum);
                switch (st) {
                    case "pinned" -> {
                        pinned++;
                        pinnedOn.add(entry.getKey());
                    }
                    case "pinning", "pin_queued", "queued" -> busy++;
                    case "pin_error", "cluster_error", "error", "unexpectedly_unpinned" -> {
                        failed++;
                        if (firstError.isEmpty()) {
                            firstError = peer.path("error").asText(st);
                        }
                    }
                    default -> { } // remote (allocated elsewhere), unpinned, ...
                }
            }
            return new PeerStatuses(pinned, busy, failed, status.path("allocations").size(),
                    status.path("peer_map").size(), firstError, counts.toString(), List.copyOf(pinnedOn));
        }

        /** R copies, or every allocated peer when the cluster could only allocate fewer. */
        int wanted(int replication) {
            int possible = allocated > 0 ? allocated : peers;
            return Math.max(1, Math.min(replication, possible));
        }

        boolean busy() {
            return fetching > 0;
        }

        boolean failedEverywhere() {
            return failed > 0 && fetching == 0 && pinned + failed >= Math.max(1, allocated);
        }
    }
}
