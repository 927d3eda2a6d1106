package dev.atpin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Kubo daemon for tests: {@code ipfs init --profile test} in a temp IPFS_PATH (loopback
 * only, free ports, no bootstrap), started and stopped by the test run. {@link #startProtected} puts its RPC API
 * behind Kubo's {@code API.Authorizations}; this handle's own calls then send the matching header.
 */
public final class KuboDaemon implements AutoCloseable {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

    private final String name;
    private final Path repo;
    private Process process;
    private final String apiUrl;
    private final String peerId;
    private final List<String> swarmAddresses;
    /** The {@code Authorization} header this handle's own RPC calls send; empty for an open RPC API. */
    private final Optional<String> authorization;

    private KuboDaemon(String name, Path repo, Process process, String apiUrl, String peerId, List<String> swarm,
            Optional<String> authorization) {
        this.authorization = authorization;
        this.name = name;
        this.repo = repo;
        this.process = process;
        this.apiUrl = apiUrl;
        this.peerId = peerId;
        this.swarmAddresses = swarm;
    }

    /** The pinned Kubo, built by {@code scripts/kubo.sh} when it is not in the cache yet. */
    public static Path binary() {
        String out = Processes.run(RepoPaths.root(), Map.of(), List.of("bash", "scripts/kubo.sh"), 1800).strip();
        Path bin = Path.of(out.substring(out.lastIndexOf('\n') + 1).strip());
        if (!Files.isExecutable(bin)) {
            throw new IllegalStateException("scripts/kubo.sh did not produce an executable: " + out);
        }
        return bin;
    }

    /** A handle on a daemon started elsewhere in this test run (see {@link TestStack}). */
    public static KuboDaemon attach(String name) {
        String api = System.getProperty("atpin.test.kubo." + name + ".api");
        if (api == null) {
            throw new IllegalStateException("no Kubo daemon named " + name + " in this test run");
        }
        try {
            JsonNode id = JSON.readTree(rpc(api, Optional.empty(), "id", ""));
            List<String> swarm = new ArrayList<>();
            id.path("Addresses").forEach(a -> swarm.add(a.asText()));
            return new KuboDaemon(name, Path.of(System.getProperty("atpin.test.kubo." + name + ".repo")), null, api,
                    id.path("ID").asText(), swarm, Optional.empty());
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    public static KuboDaemon start(String name) {
        return start(name, false, Optional.empty());
    }

    /**
     * A daemon whose RPC API ({@code /api/v0}) only answers requests carrying {@code authSecret}, set in
     * {@code API.Authorizations} before it starts. {@code authSecret} is in Kubo's own form: {@code bearer:<token>}
     * or {@code basic:<user>:<password>}; {@link #authorizationHeader} is what a client must send for it.
     */
    public static KuboDaemon startProtected(String name, String authSecret) {
        return start(name, false, Optional.of(authSecret));
    }

    /** The {@code Authorization} header Kubo expects for an {@code AuthSecret} ({@code bearer:…}, {@code basic:…}). */
    public static String authorizationHeader(String authSecret) {
        if (authSecret.startsWith("bearer:")) {
            return "Bearer " + authSecret.substring("bearer:".length());
        }
        if (authSecret.startsWith("basic:")) {
            return "Basic " + java.util.Base64.getEncoder().encodeToString(
                    authSecret.substring("basic:".length()).getBytes(StandardCharsets.UTF_8));
        }
        throw new IllegalArgumentException("an AuthSecret is bearer:<token> or basic:<user>:<password>");
    }

    /**
     * A daemon that can be killed and started again on the same repo ({@link #kill()}, {@link #restart()}): its
     * API and swarm listen on ports fixed at init, so the service's configured RPC URL stays right.
     */
    public static KuboDaemon startRestartable(String name) {
        return start(name, true, Optional.empty());
    }

    private static KuboDaemon start(String name, boolean fixedPorts, Optional<String> authSecret) {
        Path bin = binary();
        try {
            Path repo = Files.createTempDirectory("atpin-kubo-" + name + "-");
            Map<String, String> env = env(repo);
            Processes.run(repo, env, List.of(bin.toString(), "init", "--profile", "test"), 120);
            if (fixedPorts) {
                Processes.run(repo, env, List.of(bin.toString(), "config", "Addresses.API",
                        "/ip4/127.0.0.1/tcp/" + freePort()), 60);
                Processes.run(repo, env, List.of(bin.toString(), "config", "--json", "Addresses.Swarm",
                        "[\"/ip4/127.0.0.1/tcp/" + freePort() + "\"]"), 60);
            }
            // No outside world here: no routing to the public network, no telemetry.
            Processes.run(repo, env, List.of(bin.toString(), "config", "Routing.Type", "none"), 60);
            Processes.run(repo, env, List.of(bin.toString(), "config", "--json", "Swarm.ResourceMgr.Enabled", "false"), 60);
            if (authSecret.isPresent()) {
                // Kubo reads API.Authorizations at start only; the secret is in the temp repo's config, nowhere else.
                Processes.run(repo, env, List.of(bin.toString(), "config", "--json", "API.Authorizations",
                        JSON.writeValueAsString(Map.of("atpin", Map.of("AuthSecret", authSecret.get(),
                                "AllowedPaths", List.of("/api/v0"))))), 60);
            }
            Optional<String> header = authSecret.map(KuboDaemon::authorizationHeader);
            Process process = launch(bin, repo);
            String api = awaitApi(repo, process);
            JsonNode id = awaitId(api, header, process, repo);
            List<String> swarm = new ArrayList<>();
            id.path("Addresses").forEach(a -> swarm.add(a.asText()));
            return new KuboDaemon(name, repo, process, api, id.path("ID").asText(), swarm, header);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start Kubo " + name, e);
        }
    }

    private static Process launch(Path bin, Path repo) throws IOException {
        Files.deleteIfExists(repo.resolve("api"));
        ProcessBuilder pb = new ProcessBuilder(bin.toString(), "daemon", "--migrate=false")
                .directory(repo.toFile())
                .redirectErrorStream(true)
                .redirectOutput(ProcessBuilder.Redirect.appendTo(repo.resolve("daemon.log").toFile()));
        pb.environment().putAll(env(repo));
        return pb.start();
    }

    /** kill -9: Kubo gets no chance to say goodbye to anyone. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    /** Starts the daemon again on its repo after {@link #kill()} (same ports for a {@link #startRestartable} one). */
    public void restart() {
        try {
            Files.deleteIfExists(repo.resolve("repo.lock"));
            process = launch(binary(), repo);
            awaitApi(repo, process);
            awaitId(apiUrl, authorization, process, repo);
        } catch (IOException e) {
            throw new IllegalStateException("cannot restart Kubo " + name, e);
        }
    }

    private static int freePort() throws IOException {
        try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
            return socket.getLocalPort();
        }
    }

    private static Map<String, String> env(Path repo) {
        return Map.of("IPFS_PATH", repo.toString(), "IPFS_TELEMETRY", "off", "GOLOG_LOG_LEVEL", "error");
    }

    private static String awaitApi(Path repo, Process process) throws IOException {
        Path apiFile = repo.resolve("api");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("Kubo exited at start:\n" + log(repo));
            }
            if (Files.exists(apiFile)) {
                String[] parts = Files.readString(apiFile).strip().split("/");
                return "http://" + parts[2] + ":" + parts[4];
            }
            sleep(50);
        }
        throw new IllegalStateException("Kubo did not open its API within 60 s:\n" + log(repo));
    }

    private static JsonNode awaitId(String api, Optional<String> authorization, Process process, Path repo) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            try {
                return JSON.readTree(rpc(api, authorization, "id", ""));
            } catch (IllegalStateException e) {
                if (!process.isAlive()) {
                    throw new IllegalStateException("Kubo exited at start:\n" + log(repo));
                }
                sleep(100);
            } catch (IOException e) {
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("Kubo API did not answer within 60 s:\n" + log(repo));
    }

    public String name() {
        return name;
    }

    public String apiUrl() {
        return apiUrl;
    }

    public String peerId() {
        return peerId;
    }

    /** Swarm multiaddrs including {@code /p2p/<peerID>}. */
    public List<String> swarmAddresses() {
        return swarmAddresses;
    }

    public Path repo() {
        return repo;
    }

    /** Environment for running the {@code ipfs} CLI against this node. */
    public Map<String, String> cliEnv() {
        return env(repo);
    }

    public void connect(KuboDaemon other) {
        rpc("swarm/connect", "arg=" + enc(other.swarmAddresses().getFirst()));
    }

    /** Adds bytes as a UnixFS file (CIDv1, raw leaves) and returns its root CID. */
    public String add(byte[] data) {
        return add(data, "");
    }

    /** Adds bytes with extra {@code add} options, e.g. {@code chunker=size-1024}. */
    public String add(byte[] data, String options) {
        String boundary = "atpin" + System.nanoTime();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] body = new byte[head.length + data.length + tail.length];
        System.arraycopy(head, 0, body, 0, head.length);
        System.arraycopy(data, 0, body, head.length, data.length);
        System.arraycopy(tail, 0, body, head.length + data.length, tail.length);
        String query = "cid-version=1&pin=true&quieter=true" + (options.isEmpty() ? "" : "&" + options);
        try {
            HttpResponse<String> r = HTTP.send(authorized(HttpRequest.newBuilder(URI.create(apiUrl + "/api/v0/add?" + query)))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body)).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("add failed: " + r.body());
            }
            String[] lines = r.body().strip().split("\n");
            return JSON.readTree(lines[lines.length - 1]).path("Hash").asText();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /**
     * Adds many small files in one request, without pinning them (so every pin on the node is one the
     * service made), and returns their CIDs in order.
     */
    public List<String> addUnpinned(List<byte[]> files) {
        String boundary = "atpin" + System.nanoTime();
        java.io.ByteArrayOutputStream body = new java.io.ByteArrayOutputStream();
        for (int i = 0; i < files.size(); i++) {
            body.writeBytes(("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"f" + i
                    + "\"\r\nContent-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII));
            body.writeBytes(files.get(i));
            body.writeBytes("\r\n".getBytes(StandardCharsets.US_ASCII));
        }
        body.writeBytes(("--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII));
        try {
            HttpResponse<String> r = HTTP.send(authorized(HttpRequest.newBuilder(URI.create(apiUrl
                            + "/api/v0/add?cid-version=1&pin=false&wrap-with-directory=false")))
                    .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                    .POST(HttpRequest.BodyPublishers.ofByteArray(body.toByteArray())).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException("add failed: " + r.body());
            }
            Map<String, String> byName = new java.util.HashMap<>();
            for (String line : r.body().strip().split("\n")) {
                JsonNode entry = JSON.readTree(line);
                byName.put(entry.path("Name").asText(), entry.path("Hash").asText());
            }
            List<String> cids = new java.util.ArrayList<>();
            for (int i = 0; i < files.size(); i++) {
                cids.add(java.util.Objects.requireNonNull(byName.get("f" + i), "no CID for f" + i + ": " + r.body()));
            }
            return cids;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Recursive pins on this node: CID → pin name. */
    public Map<String, String> recursivePins() {
        try {
            JsonNode keys = JSON.readTree(rpc("pin/ls", "type=recursive&names=true")).path("Keys");
            Map<String, String> out = new java.util.HashMap<>();
            keys.fields().forEachRemaining(e -> out.put(e.getKey(), e.getValue().path("Name").asText()));
            return out;
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Whether the node has the block locally, without fetching it from anyone. */
    public boolean hasBlockLocally(String cid) {
        try {
            rpc("block/stat", "arg=" + enc(cid) + "&offline=true");
            return true;
        } catch (IllegalStateException e) {
            return false;
        }
    }

    public String rpc(String path, String query) {
        return rpc(apiUrl, authorization, path, query);
    }

    /**
     * HTTP status of {@code POST /api/v0/<path>} sent with {@code authorization} (empty: no header at all), whatever
     * this handle would send: how a test shows that the protection is on.
     */
    public int rpcStatus(String path, Optional<String> authorization) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(apiUrl + "/api/v0/" + path))
                .timeout(Duration.ofSeconds(30)).POST(HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(a -> request.header("Authorization", a));
        try {
            return HTTP.send(request.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            throw new IllegalStateException(path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private HttpRequest.Builder authorized(HttpRequest.Builder request) {
        authorization.ifPresent(a -> request.header("Authorization", a));
        return request;
    }

    private static String rpc(String api, Optional<String> authorization, String path, String query) {
        try {
            HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(api + "/api/v0/" + path
                            + (query.isEmpty() ? "" : "?" + query)))
                    .timeout(Duration.ofSeconds(30))
                    .POST(HttpRequest.BodyPublishers.noBody());
            authorization.ifPresent(a -> request.header("Authorization", a));
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                throw new IllegalStateException(path + " failed: " + r.body());
            }
            return r.body();
        } catch (IOException e) {
            throw new IllegalStateException(path + " failed: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private static String enc(String s) {
        return java.net.URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    private static String log(Path repo) {
        try {
            return Files.readString(repo.resolve("daemon.log"));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() {
        if (process == null) {
            return;
        }
        process.destroy();
        try {
            if (!process.waitFor(15, TimeUnit.SECONDS)) {
                process.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        try (Stream<Path> files = Files.walk(repo)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
