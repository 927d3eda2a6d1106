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

    public KuboClient(String name, String rpcUrl, Duration timeout, ObjectMapper json) {
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
        HttpRequest request = post("pin/add", Map.of("arg", cid, "name", pinName, "progress", "true", "recursive", "true"))
                .build();
        HttpResponse<InputStream> response;
        try {
            response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new KuboException(name + " unreachable: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new KuboException("interrupted");
        }
        AtomicLong lastCount = new AtomicLong(-1);
        AtomicLong lastChange = new AtomicLong(System.nanoTime());
        AtomicBoolean stalled = new AtomicBoolean();
        try (InputStream body = response.body()) {
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
                    if (event.has("Pins")) {
                        return;
                    }
                    if (event.has("Message")) {
                        throw new KuboException(event.path("Message").asText());
                    }
                    long count = event.path("Progress").asLong(0);
                    if (count != lastCount.getAndSet(count)) {
                        lastChange.set(System.nanoTime());
                        progress.accept(count);
                    }
                }
            } finally {
                watchdog.cancel(false);
            }
        } catch (IOException e) {
            if (stalled.get()) {
                throw new KuboException("no progress for " + noProgressTimeout.toSeconds() + "s after "
                        + Math.max(0, lastCount.get()) + " blocks");
            }
            throw new KuboException(name + " connection lost while pinning: " + e.getMessage(), e);
        }
        if (stalled.get()) {
            throw new KuboException("no progress for " + noProgressTimeout.toSeconds() + "s after "
                    + Math.max(0, lastCount.get()) + " blocks");
        }
        // The stream ended without a result: Kubo reports late errors in a trailer we cannot read.
        if (pinName(cid).isEmpty()) {
            throw new KuboException("pin/add ended without pinning");
        }
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
        return HttpRequest.newBuilder(base.resolve("api/v0/" + path + query))
                .POST(HttpRequest.BodyPublishers.noBody());
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
