package dev.atpin.kubo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.LongConsumer;

/** The slice of one Kubo node's RPC API ({@code /api/v0}) the service uses. Thread-safe. */
public class KuboClient {

    private static final ScheduledExecutorService WATCHDOG = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "kubo-progress-watchdog");
        t.setDaemon(true);
        return t;
    });

    private final String name;
    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Optional<String> authorization;

    public KuboClient(String name, String rpcUrl, Duration timeout, ObjectMapper json) {
        this(name, rpcUrl, timeout, json, Optional.empty());
    }

    /**
     * @param authorization the {@code Authorization} header value Kubo's {@code API.Authorizations} expects
     *     ({@code Bearer …} or {@code Basic …}), sent with every call; empty for an open RPC port
     */
    public KuboClient(String name, String rpcUrl, Duration timeout, ObjectMapper json, Optional<String> authorization) {
        this.authorization = authorization.filter(a -> !a.isBlank());
        this.name = name;
        this.base = URI.create(rpcUrl.endsWith("/") ? rpcUrl : rpcUrl + "/");
        this.timeout = timeout;
        this.json = json;
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String name() {
        return name;
    }

    public String rpcUrl() {
        return base.toString();
    }

    public NodeIdentity id() throws KuboException {
        JsonNode id = call("id", Map.of(), timeout);
        List<String> addresses = new ArrayList<>();
        id.path("Addresses").forEach(a -> addresses.add(a.asText()));
        return new NodeIdentity(id.path("ID").asText(), addresses, id.path("AgentVersion").asText());
    }

    /** The node's repository: bytes used and the most it may use ({@code repo/stat?size-only}). */
    public RepoStat repoStat() throws KuboException {
        JsonNode stat = call("repo/stat", Map.of("size-only", "true"), timeout);
        return new RepoStat(stat.path("RepoSize").asLong(0), stat.path("StorageMax").asLong(0));
    }

    public String version() throws KuboException {
        return call("version", Map.of(), timeout).path("Version").asText();
    }

    /** Best effort: connects to a peer so that bitswap can fetch from it. */
    public void swarmConnect(String multiaddr, Duration dialTimeout) throws KuboException {
        call("swarm/connect", Map.of("arg", multiaddr, "timeout", dialTimeout.toMillis() + "ms"),
                dialTimeout.plusSeconds(2));
    }

    /** The name of our recursive pin of {@code cid} on this node, empty when it has none. */
    public Optional<String> pinName(String cid) throws KuboException {
        try {
            JsonNode keys = call("pin/ls", Map.of("arg", cid, "type", "recursive", "names", "true"), timeout)
                    .path("Keys");
            Iterator<JsonNode> values = keys.elements();
            return values.hasNext() ? Optional.of(values.next().path("Name").asText("")) : Optional.empty();
        } catch (KuboException e) {
            if (e.getMessage().contains("not pinned")) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Every recursive pin on the node with its name (reconciliation). */
    public Map<String, String> recursivePins() throws KuboException {
        JsonNode keys = call("pin/ls", Map.of("type", "recursive", "names", "true"), timeout.multipliedBy(6))
                .path("Keys");
        Map<String, String> pins = new HashMap<>();
        keys.fields().forEachRemaining(e -> pins.put(e.getKey(), e.getValue().path("Name").asText("")));
        return pins;
    }

    /** One recursive pin as {@code pin/ls --stream} reports it. */
    public record Pin(String cid, String name) {}

    /**
     * Streams every recursive pin of the node to {@code each} as Kubo lists it ({@code pin/ls --stream}), so
     * that a node with millions of pins never sits in memory at once. Fails when the node goes quiet for
     * several call timeouts.
     */
    public void streamRecursivePins(java.util.function.Consumer<Pin> each) throws KuboException {
        long[] seen = {0};
        stream("pin/ls", Map.of("type", "recursive", "names", "true", "stream", "true"), timeout.multipliedBy(6),
                event -> {
                    each.accept(new Pin(event.path("Cid").asText(), event.path("Name").asText("")));
                    return Step.more(++seen[0]);
                });
    }

    public void pinRm(String cid) throws KuboException {
        call("pin/rm", Map.of("arg", cid), timeout.multipliedBy(3));
    }

    /**
     * Pins {@code cid} recursively under {@code pinName}, reporting the number of blocks fetched
     * so far. Gives up when the count has not grown for {@code noProgressTimeout} (a stuck fetch),
     * however long the whole pin has taken.
     */
    public void pinAdd(String cid, String pinName, Duration noProgressTimeout, LongConsumer progress)
            throws KuboException {
        boolean finished = stream("pin/add",
                Map.of("arg", cid, "name", pinName, "progress", "true", "recursive", "true"),
                noProgressTimeout, event -> {
                    if (event.has("Pins")) {
                        return Step.DONE;
                    }
                    progress.accept(event.path("Progress").asLong(0));
                    return Step.more(event.path("Progress").asLong(0));
                });
        // The stream ended without a result: Kubo reports late errors in a trailer we cannot read.
        if (!finished && pinName(cid).isEmpty()) {
            throw new KuboException("pin/add ended without pinning");
        }
    }

    /**
     * Walks the DAG under {@code cid} (fetching it, without pinning) and returns its total size,
     * stopping as soon as it exceeds {@code limit}: we learn that a DAG is too large for a quota
     * without fetching all of it.
     */
    public long dagSize(String cid, long limit, Duration noProgressTimeout, LongConsumer progress)
            throws KuboException, DagTooLarge {
        long[] size = {0};
        boolean finished = stream("dag/stat", Map.of("arg", cid, "progress", "true"), noProgressTimeout, event -> {
            size[0] = event.path("TotalSize").asLong(0);
            if (size[0] > limit) {
                return Step.TOO_LARGE;
            }
            if (event.has("UniqueBlocks")) {
                return Step.DONE;
            }
            progress.accept(size[0]);
            return Step.more(size[0]);
        });
        if (size[0] > limit) {
            throw new DagTooLarge(size[0]);
        }
        if (!finished) {
            throw new KuboException("dag/stat ended without a result");
        }
        return size[0];
    }

    /** The DAG is larger than the limit; {@code atLeast} bytes were seen before stopping. */
    public static final class DagTooLarge extends Exception {
        private final long atLeast;

        public DagTooLarge(long atLeast) {
            super("the DAG is larger than allowed (at least " + atLeast + " bytes)");
            this.atLeast = atLeast;
        }

        public long atLeast() {
            return atLeast;
        }
    }

    /**
     * Imports {@code data} as a UnixFS file with the given {@code add} options (chunker, CID version,
     * raw leaves) without pinning it, and returns the root CID Kubo computed.
     */
    public String addBytes(byte[] data, Map<String, String> options, Duration callTimeout) throws KuboException {
        return add(HttpRequest.BodyPublishers.ofByteArray(data), options, callTimeout);
    }

    /** Like {@link #addBytes}, streaming the file's bytes: a large blob never has to sit in memory. */
    public String addFile(java.nio.file.Path file, Map<String, String> options, Duration callTimeout)
            throws KuboException {
        try {
            return add(HttpRequest.BodyPublishers.ofFile(file), options, callTimeout);
        } catch (java.io.FileNotFoundException e) {
            throw new KuboException("cannot read " + file + ": " + e.getMessage(), e);
        }
    }

    private String add(HttpRequest.BodyPublisher data, Map<String, String> options, Duration callTimeout)
            throws KuboException {
        Map<String, String> args = new java.util.TreeMap<>(options);
        args.put("pin", "false");
        args.put("quieter", "true");
        String boundary = "atpin-" + java.util.UUID.randomUUID();
        byte[] head = ("--" + boundary + "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"blob\"\r\n"
                + "Content-Type: application/octet-stream\r\n\r\n").getBytes(StandardCharsets.US_ASCII);
        byte[] tail = ("\r\n--" + boundary + "--\r\n").getBytes(StandardCharsets.US_ASCII);
        HttpRequest request = post("add", args).timeout(callTimeout)
                .header("Content-Type", "multipart/form-data; boundary=" + boundary)
                .POST(HttpRequest.BodyPublishers.concat(HttpRequest.BodyPublishers.ofByteArray(head),
                        data, HttpRequest.BodyPublishers.ofByteArray(tail)))
                .build();
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new KuboException(errorMessage(response.body().getBytes(StandardCharsets.UTF_8)));
            }
            String[] lines = response.body().strip().split("\n");
            return json.readTree(lines[lines.length - 1]).path("Hash").asText();
        } catch (IOException e) {
            throw new KuboException(name + " unreachable (add): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KuboException("interrupted");
        }
    }

    /** What a streamed event means: go on (with a progress value), or stop. */
    private record Step(boolean stop, long progress) {
        static final Step DONE = new Step(true, 0);
        static final Step TOO_LARGE = new Step(true, 0);

        static Step more(long progress) {
            return new Step(false, progress);
        }
    }

    @FunctionalInterface
    private interface EventHandler {
        Step on(JsonNode event) throws KuboException;
    }

    /**
     * Runs a streaming RPC call, one JSON event per line. The call is aborted when the progress
     * value has not changed for {@code noProgressTimeout}.
     *
     * @return true when the handler ended the stream, false when Kubo closed it first
     */
    private boolean stream(String path, Map<String, String> args, Duration noProgressTimeout, EventHandler handler)
            throws KuboException {
        HttpResponse<InputStream> response;
        try {
            // Kubo sends the headers with its first event, which for a block nobody has never comes:
            // the request timeout (which ends when the headers arrive) covers that wait.
            response = http.send(post(path, args).timeout(noProgressTimeout).build(),
                    HttpResponse.BodyHandlers.ofInputStream());
        } catch (java.net.http.HttpTimeoutException e) {
            throw new KuboException("no progress for " + noProgressTimeout.toSeconds() + "s during " + path);
        } catch (IOException e) {
            throw new KuboException(name + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KuboException("interrupted");
        }
        AtomicLong lastProgress = new AtomicLong(-1);
        AtomicLong lastChange = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        InputStream body = response.body();
        try {
            if (response.statusCode() != 200) {
                throw new KuboException(errorMessage(body.readAllBytes()));
            }
            long checkEvery = Math.max(200, Math.min(noProgressTimeout.toMillis() / 4, 5_000));
            ScheduledFuture<?> watchdog = WATCHDOG.scheduleAtFixedRate(() -> {
                if (System.nanoTime() - lastChange.get() > noProgressTimeout.toNanos()) {
                    stalled.set(true);
                    closeQuietly(body);
                }
            }, checkEvery, checkEvery, TimeUnit.MILLISECONDS);
            try {
                BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8));
                String line;
                while ((line = lines.readLine()) != null) {
                    if (line.isBlank()) {
                        continue;
                    }
                    JsonNode event = json.readTree(line);
                    if (event.has("Message") && event.has("Type")) {
                        throw new KuboException(event.path("Message").asText());
                    }
                    Step step = handler.on(event);
                    if (step.stop()) {
                        return true;
                    }
                    if (step.progress() != lastProgress.getAndSet(step.progress())) {
                        lastChange.set(System.nanoTime());
                    }
                }
            } finally {
                watchdog.cancel(false);
            }
        } catch (IOException e) {
            if (!stalled.get()) {
                throw new KuboException(name + " connection lost during " + path + ": " + e.getMessage(), e);
            }
        } finally {
            closeQuietly(body);
        }
        if (stalled.get()) {
            throw new KuboException("no progress for " + noProgressTimeout.toSeconds() + "s during " + path);
        }
        return false;
    }

    private JsonNode call(String path, Map<String, String> args, Duration callTimeout) throws KuboException {
        try {
            HttpResponse<byte[]> response = http.send(post(path, args).timeout(callTimeout).build(),
                    HttpResponse.BodyHandlers.ofByteArray());
            if (response.statusCode() != 200) {
                throw new KuboException(errorMessage(response.body()));
            }
            byte[] body = response.body();
            return body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            throw new KuboException(name + " unreachable (" + path + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KuboException("interrupted");
        }
    }

    private HttpRequest.Builder post(String path, Map<String, String> args) {
        StringBuilder query = new StringBuilder();
        args.forEach((k, v) -> query.append(query.isEmpty() ? "?" : "&")
                .append(k).append('=').append(URLEncoder.encode(v, StandardCharsets.UTF_8)));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve("api/v0/" + path + query))
                .POST(HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request;
    }

    private String errorMessage(byte[] body) {
        try {
            JsonNode error = json.readTree(body);
            if (error.hasNonNull("Message")) {
                return error.get("Message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // closing is how we abort a stalled pin; a failure to close changes nothing
        }
    }
}
