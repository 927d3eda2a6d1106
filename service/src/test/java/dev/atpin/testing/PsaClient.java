package dev.atpin.testing;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;

/**
 * A plain HTTP client for the Pinning Service API of a {@link ServiceProcess}, for the fault tests that run
 * outside Quarkus' test JVM (and so outside RestAssured). A network failure is status -1, never an exception:
 * a test under fault counts it.
 */
public final class PsaClient {

    public static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String baseUrl;
    private final String token;

    public PsaClient(String baseUrl, String token) {
        this.baseUrl = baseUrl;
        this.token = token;
    }

    /** A response: status (-1 when no answer came), body, and Retry-After (or null). */
    public record Answer(int status, String body, String retryAfter) {
        public JsonNode json() {
            try {
                return JSON.readTree(body);
            } catch (IOException e) {
                throw new AssertionError("not JSON (" + status + "): " + body, e);
            }
        }

        /** Whether the body is the spec's Failure shape {@code {"error":{"reason","details"}}}. */
        public boolean isFailureShape() {
            try {
                JsonNode error = JSON.readTree(body).path("error");
                return error.path("reason").isTextual() && !error.path("reason").asText().isEmpty()
                        && (error.path("details").isMissingNode() || error.path("details").isTextual());
            } catch (IOException e) {
                return false;
            }
        }
    }

    public String token() {
        return token;
    }

    public Answer pin(String cid, String name) {
        return send(request("/psa/pins").header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"cid\":\"" + cid + "\",\"name\":\"" + name + "\"}")));
    }

    /** POST without a body (an action such as enrolling a repo). */
    public Answer post(String pathAndQuery) {
        return send(request(pathAndQuery).POST(HttpRequest.BodyPublishers.noBody()));
    }

    public Answer get(String pathAndQuery) {
        return send(request(pathAndQuery).GET());
    }

    private HttpRequest.Builder request(String path) {
        return HttpRequest.newBuilder(URI.create(baseUrl + path)).timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
    }

    private static Answer send(HttpRequest.Builder request) {
        try {
            HttpResponse<String> r = HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
            return new Answer(r.statusCode(), r.body(), r.headers().firstValue("Retry-After").orElse(null));
        } catch (IOException e) {
            return new Answer(-1, e.toString(), null);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Answer(-1, "interrupted", null);
        }
    }
}
