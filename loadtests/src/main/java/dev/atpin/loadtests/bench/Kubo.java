package dev.atpin.loadtests.bench;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** A Kubo daemon on loopback ({@code --profile test}: no bootstrap, no outside network), repo kept in the data dir. */
final class Kubo {

    private final String rpcUrl;
    final Process process;

    private Kubo(String rpcUrl, Process process) {
        this.rpcUrl = rpcUrl;
        this.process = process;
    }

    static Kubo start(String name, Path binary, Path repo, Processes processes) throws IOException {
        Files.createDirectories(repo.getParent());
        Map<String, String> env = Map.of("IPFS_PATH", repo.toString(), "IPFS_TELEMETRY", "off");
        if (!Files.exists(repo.resolve("config"))) {
            Processes.run(repo.getParent(), env, binary.toString(), "init", "--profile", "test");
        }
        int api = Processes.freePort();
        Processes.run(repo.getParent(), env, binary.toString(), "config", "Addresses.API", "/ip4/127.0.0.1/tcp/" + api);
        Processes.run(repo.getParent(), env, binary.toString(), "config", "Addresses.Gateway",
                "/ip4/127.0.0.1/tcp/" + Processes.freePort());
        Processes.run(repo.getParent(), env, binary.toString(), "config", "--json", "Addresses.Swarm",
                "[\"/ip4/127.0.0.1/tcp/" + Processes.freePort() + "\"]");
        Process p = processes.start(name, List.of(binary.toString(), "daemon", "--migrate=false"), repo.getParent(), env);
        String url = "http://127.0.0.1:" + api;
        processes.awaitHttp(name, p, "POST", url + "/api/v0/id", Duration.ofMinutes(2));
        return new Kubo(url, p);
    }

    String rpcUrl() {
        return rpcUrl;
    }

    private static final Pattern KEY = Pattern.compile("\"Key\"\\s*:\\s*\"([^\"]+)\"");

    /**
     * Puts {@code count} small random raw blocks into the node without pinning them and returns
     * their CIDs: what the pin-add anchors pin (a pin of data at hand is pure bookkeeping).
     */
    List<String> putRandomBlocks(int count) throws IOException, InterruptedException {
        List<String> cids = new ArrayList<>(count);
        int perRequest = 2000;
        for (int done = 0; done < count; done += perRequest) {
            int n = Math.min(perRequest, count - done);
            String boundary = "bench" + ThreadLocalRandom.current().nextLong(Long.MAX_VALUE);
            ByteArrayOutputStream body = new ByteArrayOutputStream();
            byte[] data = new byte[64];
            for (int k = 0; k < n; k++) {
                ThreadLocalRandom.current().nextBytes(data);
                body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"b"
                        + k + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
                body.writeBytes(data);
                body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
            }
            body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
            HttpResponse<String> r = Processes.HTTP.send(HttpRequest.newBuilder(
                            URI.create(rpcUrl + "/api/v0/block/put?cid-codec=raw&mhtype=sha2-256&pin=false"))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray()))
                    .timeout(Duration.ofMinutes(5)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IOException("block/put answered " + r.statusCode() + ": " + r.body());
            }
            Matcher m = KEY.matcher(r.body());
            while (m.find()) {
                cids.add(m.group(1));
            }
        }
        if (cids.size() != count) {
            throw new IOException("block/put returned " + cids.size() + " CIDs for " + count + " blocks");
        }
        return cids;
    }
}
