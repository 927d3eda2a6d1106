package dev.atpin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A real IPFS Cluster for tests: {@code n} {@code ipfs-cluster-service} peers (built by
 * {@code scripts/ipfs-cluster.sh}) with crdt consensus and a shared secret, each in front of its own
 * {@link KuboDaemon}, every listener on loopback at a free port, no mDNS, no relay. Repinning on peer loss is on
 * ({@code disable_repinning: false}) and the ping, watch and check intervals are a second, so a killed peer is
 * noticed and its pins re-allocated within seconds. Starting fails (never skips) when a peer does not come up.
 */
public final class IpfsClusterPeers implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final Duration START_WITHIN = Duration.ofMinutes(2);

    /** One peer: its cluster daemon and the Kubo it drives. */
    public static final class Peer {
        private final String name;
        private final Path dir;
        private final KuboDaemon kubo;
        private final String restUrl;
        private Process process;

        private Peer(String name, Path dir, KuboDaemon kubo, String restUrl, Process process) {
            this.name = name;
            this.dir = dir;
            this.kubo = kubo;
            this.restUrl = restUrl;
            this.process = process;
        }

        public String name() {
            return name;
        }

        public KuboDaemon kubo() {
            return kubo;
        }

        public String restUrl() {
            return restUrl;
        }

        public boolean isAlive() {
            return process != null && process.isAlive();
        }

        /** kill -9 of the cluster peer and of its Kubo: the peer is simply gone. */
        public void kill() {
            if (process != null) {
                process.destroyForcibly();
                waitQuietly(process);
            }
            kubo.kill();
        }

        private void stop() {
            if (process != null && process.isAlive()) {
                process.destroy();
                try {
                    if (!process.waitFor(10, TimeUnit.SECONDS)) {
                        process.destroyForcibly();
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }
            kubo.close();
        }

        String log() {
            try {
                String text = Files.readString(dir.resolve("cluster.log"));
                return text.length() > 4000 ? text.substring(text.length() - 4000) : text;
            } catch (IOException e) {
                return "(no log: " + e.getMessage() + ")";
            }
        }
    }

    private final List<Peer> peers;

    private IpfsClusterPeers(List<Peer> peers) {
        this.peers = peers;
    }

    /** The directory with {@code ipfs-cluster-service} and {@code ipfs-cluster-ctl}, built when not cached yet. */
    public static Path binaries() {
        String out = Processes.run(RepoPaths.root(), Map.of(), List.of("bash", "scripts/ipfs-cluster.sh"), 1800).strip();
        Path dir = Path.of(out.substring(out.lastIndexOf('\n') + 1).strip());
        if (!Files.isExecutable(dir.resolve("ipfs-cluster-service"))) {
            throw new IllegalStateException("scripts/ipfs-cluster.sh did not produce ipfs-cluster-service: " + out);
        }
        return dir;
    }

    /** Starts {@code count} peers named {@code <prefix>-0..}, the first one bootstrapping the others. */
    public static IpfsClusterPeers start(String prefix, int count) {
        Path service = binaries().resolve("ipfs-cluster-service");
        byte[] secret = new byte[32];
        new SecureRandom().nextBytes(secret);
        List<Peer> peers = new ArrayList<>();
        try {
            String bootstrap = null;
            for (int i = 0; i < count; i++) {
                Peer peer = startPeer(service, prefix + "-" + i, HexFormat.of().formatHex(secret), bootstrap);
                peers.add(peer);
                if (bootstrap == null) {
                    bootstrap = clusterAddress(peer);
                }
            }
            IpfsClusterPeers cluster = new IpfsClusterPeers(peers);
            cluster.awaitPeers(count);
            return cluster;
        } catch (IOException | RuntimeException e) {
            String logs = peers.stream().map(p -> p.name() + ":\n" + p.log()).reduce("", String::concat);
            peers.forEach(Peer::stop);
            throw new IllegalStateException("cannot start the IPFS Cluster " + prefix + ": " + e.getMessage() + "\n" + logs, e);
        }
    }

    private static Peer startPeer(Path service, String name, String secret, String bootstrap) throws IOException {
        KuboDaemon kubo = KuboDaemon.start(name + "-kubo");
        Path dir = Files.createTempDirectory("atpin-cluster-" + name + "-");
        Processes.run(dir, Map.of(), List.of(service.toString(), "-c", dir.toString(), "init", "--consensus", "crdt", "-f"),
                120);
        ObjectNode config = (ObjectNode) JSON.readTree(dir.resolve("service.json").toFile());
        ObjectNode cluster = (ObjectNode) config.path("cluster");
        cluster.put("peername", name);
        cluster.put("secret", secret);
        cluster.set("listen_multiaddress", JSON.createArrayNode().add("/ip4/127.0.0.1/tcp/" + freePort()));
        cluster.put("enable_relay_hop", false);
        cluster.put("mdns_interval", "0s");
        // The point of running IPFS Cluster at all: re-allocate the copies of a lost peer (its default is true).
        cluster.put("disable_repinning", false);
        cluster.put("monitor_ping_interval", "1s");
        cluster.put("peer_watch_interval", "1s");
        cluster.put("state_sync_interval", "5s");
        cluster.put("pin_recover_interval", "10s");
        ((ObjectNode) cluster.path("resource_manager")).put("enabled", false);
        ((ObjectNode) config.path("monitor").path("pubsubmon")).put("check_interval", "1s");
        for (String informer : List.of("disk", "pinqueue", "tags")) {
            ((ObjectNode) config.path("informer").path(informer)).put("metric_ttl", "2s");
        }
        int rest = freePort();
        ((ObjectNode) config.path("api").path("restapi")).put("http_listen_multiaddress", "/ip4/127.0.0.1/tcp/" + rest);
        ((ObjectNode) config.path("api").path("pinsvcapi")).put("http_listen_multiaddress", "/ip4/127.0.0.1/tcp/" + freePort());
        ((ObjectNode) config.path("api").path("ipfsproxy")).put("listen_multiaddress", "/ip4/127.0.0.1/tcp/" + freePort());
        ObjectNode ipfs = (ObjectNode) config.path("ipfs_connector").path("ipfshttp");
        ipfs.put("node_multiaddress", "/ip4/127.0.0.1/tcp/" + URI.create(kubo.apiUrl()).getPort());
        ipfs.put("connect_swarms_delay", "1s");
        ipfs.put("pin_timeout", "20s");
        // Pebble's defaults (a 1 GiB cache) are for production peers; three test peers share a small machine.
        ObjectNode pebble = (ObjectNode) config.path("datastore").path("pebble").path("pebble_options");
        if (!pebble.isMissingNode()) {
            pebble.put("cache_size_bytes", 8 << 20);
            pebble.put("mem_table_size", 4 << 20);
        }
        JSON.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("service.json").toFile(), config);
        List<String> command = new ArrayList<>(List.of(service.toString(), "-c", dir.toString(), "daemon"));
        if (bootstrap != null) {
            command.addAll(List.of("--bootstrap", bootstrap));
        }
        Process process = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(dir.resolve("cluster.log").toFile())).start();
        Peer peer = new Peer(name, dir, kubo, "http://127.0.0.1:" + rest, process);
        awaitRest(peer);
        return peer;
    }

    private static void awaitRest(Peer peer) {
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (!peer.process.isAlive()) {
                throw new IllegalStateException(peer.name() + " exited: " + peer.log());
            }
            try {
                if (get(peer.restUrl() + "/id").path("ipfs").path("id").asText().length() > 0) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            sleep(200);
        }
        throw new IllegalStateException(peer.name() + " did not answer on its REST API within " + START_WITHIN);
    }

    /** The first listen address of {@code peer} with its cluster peer ID, for {@code --bootstrap}. */
    private static String clusterAddress(Peer peer) throws IOException {
        JsonNode id = get(peer.restUrl() + "/id");
        return id.path("addresses").get(0).asText();
    }

    private void awaitPeers(int count) throws IOException {
        long deadline = System.nanoTime() + START_WITHIN.toNanos();
        while (System.nanoTime() < deadline) {
            if (livePeers(peers.getFirst()) >= count) {
                connectKubos();
                return;
            }
            sleep(250);
        }
        throw new IllegalStateException("the cluster peers did not see each other within " + START_WITHIN);
    }

    /** Peers {@code from} sees with an answering IPFS daemon. */
    private static int livePeers(Peer from) throws IOException {
        HttpResponse<String> r = send(from.restUrl() + "/peers");
        int live = 0;
        try (var items = JSON.readerFor(JsonNode.class).<JsonNode>readValues(r.body())) {
            while (items.hasNextValue()) {
                JsonNode peer = items.nextValue();
                if (peer.path("error").asText().isEmpty() && !peer.path("ipfs").path("id").asText().isEmpty()) {
                    live++;
                }
            }
        }
        return live;
    }

    /** Bitswap between the peers' Kubos without waiting for the cluster's own swarm connect. */
    public void connectKubos() {
        for (Peer a : peers) {
            for (Peer b : peers) {
                if (a != b && a.isAlive() && b.isAlive()) {
                    try {
                        a.kubo().connect(b.kubo());
                    } catch (IllegalStateException e) {
                        // best effort: the cluster connects them too
                    }
                }
            }
        }
    }

    public List<Peer> peers() {
        return peers;
    }

    public Peer first() {
        return peers.getFirst();
    }

    @Override
    public void close() {
        peers.forEach(Peer::stop);
    }

    private static JsonNode get(String url) throws IOException {
        return JSON.readTree(send(url).body());
    }

    private static HttpResponse<String> send(String url) throws IOException {
        try {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException(url + " answered " + r.statusCode());
            }
            return r;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted", e);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    private static void waitQuietly(Process process) {
        try {
            process.waitFor(30, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
