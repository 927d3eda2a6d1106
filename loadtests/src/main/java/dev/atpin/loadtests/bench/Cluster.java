package dev.atpin.loadtests.bench;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;

/**
 * One IPFS Cluster peer (built by {@code scripts/ipfs-cluster.sh}) in front of its own Kubo, on
 * loopback only: every listener on 127.0.0.1, no mDNS, no relay. Its pinning-service API is the
 * anchor; its REST API fills its pinset for the list measurement.
 */
final class Cluster {

    private final String pinsvcUrl;
    private final String restUrl;
    final Process process;

    private Cluster(String pinsvcUrl, String restUrl, Process process) {
        this.pinsvcUrl = pinsvcUrl;
        this.restUrl = restUrl;
        this.process = process;
    }

    static Cluster start(Path binaries, Path dir, Kubo kubo, Processes processes) throws IOException {
        Path service = binaries.resolve("ipfs-cluster-service");
        if (!Files.exists(dir.resolve("service.json"))) {
            Files.createDirectories(dir);
            Processes.run(dir, Map.of(), service.toString(), "-c", dir.toString(), "init", "--consensus", "crdt", "-f");
        }
        ObjectMapper json = new ObjectMapper();
        ObjectNode config = (ObjectNode) json.readTree(dir.resolve("service.json").toFile());
        ObjectNode cluster = (ObjectNode) config.path("cluster");
        ArrayNode listen = json.createArrayNode().add("/ip4/127.0.0.1/tcp/" + Processes.freePort());
        cluster.set("listen_multiaddress", listen);
        cluster.put("mdns_interval", "0s");
        cluster.put("enable_relay_hop", false);
        int pinsvc = Processes.freePort();
        int rest = Processes.freePort();
        ((ObjectNode) config.path("api").path("pinsvcapi")).put("http_listen_multiaddress", "/ip4/127.0.0.1/tcp/" + pinsvc);
        ((ObjectNode) config.path("api").path("restapi")).put("http_listen_multiaddress", "/ip4/127.0.0.1/tcp/" + rest);
        ((ObjectNode) config.path("api").path("ipfsproxy")).put("listen_multiaddress", "/ip4/127.0.0.1/tcp/" + Processes.freePort());
        URI kuboUri = URI.create(kubo.rpcUrl());
        ((ObjectNode) config.path("ipfs_connector").path("ipfshttp"))
                .put("node_multiaddress", "/ip4/127.0.0.1/tcp/" + kuboUri.getPort());
        json.writerWithDefaultPrettyPrinter().writeValue(dir.resolve("service.json").toFile(), config);
        Process p = processes.start("ipfs-cluster", List.of(service.toString(), "-c", dir.toString(), "daemon"), dir, Map.of());
        String restUrl = "http://127.0.0.1:" + rest;
        processes.awaitHttp("ipfs-cluster", p, "GET", restUrl + "/id", Duration.ofMinutes(2));
        String pinsvcUrl = "http://127.0.0.1:" + pinsvc;
        processes.awaitHttp("ipfs-cluster", p, "GET", pinsvcUrl + "/pins?limit=1", Duration.ofMinutes(1));
        return new Cluster(pinsvcUrl, restUrl, p);
    }

    String pinsvcUrl() {
        return pinsvcUrl;
    }

    /** How many pins the cluster's pinset holds (its REST API streams them all). */
    long pinCount() throws IOException, InterruptedException {
        HttpResponse<java.io.InputStream> r = Processes.HTTP.send(HttpRequest.newBuilder(URI.create(restUrl + "/allocations"))
                .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofInputStream());
        long n = 0;
        try (var lines = new java.io.BufferedReader(new java.io.InputStreamReader(r.body())).lines()) {
            n = lines.filter(l -> l.contains("\"cid\"")).count();
        }
        return n;
    }

    /** Pins {@code cids} through the REST API, {@code parallel} at a time, reporting progress. */
    void pinAll(List<String> cids, int parallel, Progress progress) throws Exception {
        AtomicLong done = new AtomicLong();
        long started = System.nanoTime();
        try (ExecutorService pool = Executors.newFixedThreadPool(parallel)) {
            List<Future<?>> futures = new java.util.ArrayList<>();
            for (int w = 0; w < parallel; w++) {
                int worker = w;
                futures.add(pool.submit(() -> {
                    for (int k = worker; k < cids.size(); k += parallel) {
                        HttpResponse<String> r = Processes.HTTP.send(HttpRequest.newBuilder(
                                        URI.create(restUrl + "/pins/" + cids.get(k) + "?name=bench-" + k))
                                .POST(HttpRequest.BodyPublishers.noBody()).timeout(Duration.ofMinutes(1)).build(),
                                HttpResponse.BodyHandlers.ofString());
                        if (r.statusCode() / 100 != 2) {
                            throw new IOException("cluster POST /pins answered " + r.statusCode() + ": " + r.body());
                        }
                        long d = done.incrementAndGet();
                        if (d % 5000 == 0) {
                            progress.step(String.format("cluster pinset: %,d of %,d added (%.0f pins/s)", d, cids.size(),
                                    d / ((System.nanoTime() - started) / 1e9)));
                        }
                    }
                    return null;
                }));
            }
            for (Future<?> f : futures) {
                f.get();
            }
        }
    }
}
