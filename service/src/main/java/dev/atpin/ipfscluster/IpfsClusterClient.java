package dev.atpin.ipfscluster;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.MappingIterator;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

/**
 * The slice of one IPFS Cluster peer's REST API (v1.1) the service uses. Built like {@code KuboClient}: the URL is
 * configured infrastructure (loopback allowed, as for Kubo's RPC), no redirects are followed, every call has a
 * timeout, and the {@code Authorization} header is never logged. Thread-safe.
 */
public class IpfsClusterClient {

    private final URI base;
    private final Duration timeout;
    private final HttpClient http;
    private final ObjectMapper json;
    private final Optional<String> authorization;

    public IpfsClusterClient(String restUrl, Duration timeout, ObjectMapper json, Optional<String> authorization) {
        this.base = URI.create(restUrl.endsWith("/") ? restUrl : restUrl + "/");
        this.timeout = timeout;
        this.json = json;
        this.authorization = authorization.filter(a -> !a.isBlank());
        this.http = HttpClient.newBuilder().connectTimeout(timeout).followRedirects(HttpClient.Redirect.NEVER).build();
    }

    public String restUrl() {
        return base.toString();
    }

    /** The peer we talk to ({@code GET /id}): its cluster ID, version and its IPFS daemon's ID and addresses. */
    public JsonNode id() throws IpfsClusterException {
        return call("GET", "id", Map.of());
    }

    /** Every cluster peer as {@code GET /peers} streams it (same shape as {@link #id()}). */
    public void peers(Consumer<JsonNode> each) throws IpfsClusterException {
        stream("peers", Map.of(), each);
    }

    /** The latest {@code name} metric of every peer ({@code GET /monitor/metrics/{name}}), e.g. {@code freespace}. */
    public JsonNode metrics(String name) throws IpfsClusterException {
        return call("GET", "monitor/metrics/" + encode(name), Map.of());
    }

    /** Adds or updates the pin of {@code cid} in the shared pinset ({@code POST /pins/{cid}}). */
    public JsonNode pin(String cid, Map<String, String> options) throws IpfsClusterException {
        return call("POST", "pins/" + encode(cid), options);
    }

    /** The pin of {@code cid} in the pinset with its options and allocations; empty when there is none. */
    public Optional<JsonNode> allocation(String cid) throws IpfsClusterException {
        try {
            return Optional.of(call("GET", "allocations/" + encode(cid), Map.of()));
        } catch (IpfsClusterException e) {
            if (e.status() == 404) {
                return Optional.empty();
            }
            throw e;
        }
    }

    /** Where {@code cid} stands on every peer ({@code GET /pins/{cid}}: the {@code peer_map}). */
    public JsonNode status(String cid) throws IpfsClusterException {
        return call("GET", "pins/" + encode(cid), Map.of());
    }

    /** Removes {@code cid} from the pinset ({@code DELETE /pins/{cid}}). */
    public void unpin(String cid) throws IpfsClusterException {
        call("DELETE", "pins/" + encode(cid), Map.of());
    }

    /** Retries a pin in an error status on the peers where it failed ({@code POST /pins/{cid}/recover}). */
    public void recover(String cid) throws IpfsClusterException {
        call("POST", "pins/" + encode(cid) + "/recover", Map.of());
    }

    /** Streams the pinset ({@code GET /allocations?filter=pin}), one pin at a time. */
    public void allocations(Consumer<JsonNode> each) throws IpfsClusterException {
        stream("allocations", Map.of("filter", "pin"), each);
    }

    /**
     * Streams where each of {@code cids} stands on every peer ({@code GET /pins?cids=a,b,...}: one {@code peer_map}
     * per CID, looked up by the cluster in parallel, in no particular order). A CID whose lookup failed on the
     * cluster's side is missing from the stream.
     */
    public void statuses(java.util.List<String> cids, Consumer<JsonNode> each) throws IpfsClusterException {
        if (!cids.isEmpty()) {
            stream("pins", Map.of("cids", String.join(",", cids)), each);
        }
    }

    /** Streams the status of the pins whose status matches {@code filter} ({@code GET /pins?filter=error}). */
    public void statuses(String filter, Consumer<JsonNode> each) throws IpfsClusterException {
        stream("pins", Map.of("filter", filter), each);
    }

    private JsonNode call(String method, String path, Map<String, String> query) throws IpfsClusterException {
        try {
            HttpResponse<byte[]> response = http.send(request(method, path, query, timeout),
                    HttpResponse.BodyHandlers.ofByteArray());
            byte[] body = response.body();
            if (response.statusCode() / 100 != 2) {
                throw new IpfsClusterException(method + " /" + path + ": " + errorMessage(body), response.statusCode());
            }
            return body.length == 0 ? json.createObjectNode() : json.readTree(body);
        } catch (IOException e) {
            throw new IpfsClusterException("IPFS Cluster unreachable (" + path + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpfsClusterException("interrupted", e);
        }
    }

    /**
     * A streamed listing: the REST API writes one JSON object after the other as it walks its state, so a
     * pinset of millions is read one object at a time. A long listing only needs the server to keep writing.
     */
    private void stream(String path, Map<String, String> query, Consumer<JsonNode> each) throws IpfsClusterException {
        HttpResponse<InputStream> response;
        try {
            // The timeout covers the wait for the headers; the body then streams as long as the cluster sends.
            response = http.send(request("GET", path, query, timeout), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw new IpfsClusterException("IPFS Cluster unreachable (" + path + "): " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IpfsClusterException("interrupted", e);
        }
        try (InputStream body = response.body()) {
            if (response.statusCode() / 100 != 2) {
                throw new IpfsClusterException("GET /" + path + ": " + errorMessage(body.readAllBytes()),
                        response.statusCode());
            }
            try (MappingIterator<JsonNode> items = json.readerFor(JsonNode.class).readValues(body)) {
                while (items.hasNextValue()) {
                    each.accept(items.nextValue());
                }
            }
        } catch (IOException e) {
            throw new IpfsClusterException("IPFS Cluster connection lost during " + path + ": " + e.getMessage(), e);
        }
    }

    private HttpRequest request(String method, String path, Map<String, String> query, Duration callTimeout) {
        StringBuilder q = new StringBuilder();
        query.forEach((k, v) -> q.append(q.isEmpty() ? "?" : "&").append(encode(k)).append('=').append(encode(v)));
        HttpRequest.Builder request = HttpRequest.newBuilder(base.resolve(path + q)).timeout(callTimeout)
                .method(method, HttpRequest.BodyPublishers.noBody());
        authorization.ifPresent(value -> request.header("Authorization", value));
        return request.build();
    }

    /** The REST API's error body is {@code {"code": 404, "message": "..."}}. */
    private String errorMessage(byte[] body) {
        try {
            JsonNode error = json.readTree(body);
            if (error != null && error.hasNonNull("message")) {
                return error.get("message").asText();
            }
        } catch (IOException | RuntimeException ignored) {
            // not JSON: fall through to the raw text
        }
        String text = new String(body, StandardCharsets.UTF_8).strip();
        return text.length() > 300 ? text.substring(0, 300) : text;
    }

    private static String encode(String value) {
        return URLEncoder.encode(value, StandardCharsets.UTF_8);
    }
}
