package dev.atpin.abuse;

import static org.assertj.core.api.Assertions.assertThat;

import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.InetAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Base64;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/**
 * Work strangers can make us do is bounded per client address: each test speaks from its own loopback address
 * (127.0.0.x), so it has a budget of its own and leaves the other tests' budget alone.
 */
@QuarkusTest
class AnonymousWorkTest {

    @TestHTTPResource("/")
    URI base;

    @Inject
    AnonymousLimitsConfig config;

    private static HttpClient from(String address) throws Exception {
        return HttpClient.newBuilder().localAddress(InetAddress.getByName(address)).build();
    }

    @Test
    void loginAttemptsFromOneClientAreBounded() throws Exception {
        HttpClient client = from("127.0.0.2");
        int refusedAt = -1;
        for (int i = 1; i <= config.login().perClient() + 1 && refusedAt < 0; i++) {
            String form = "handle=" + URLEncoder.encode("nobody-" + UUID.randomUUID().toString().substring(0, 8)
                    + ".test", StandardCharsets.UTF_8);
            HttpResponse<String> page = client.send(HttpRequest.newBuilder(base.resolve("/login"))
                    .header("Content-Type", "application/x-www-form-urlencoded")
                    .POST(HttpRequest.BodyPublishers.ofString(form)).build(), HttpResponse.BodyHandlers.ofString());
            if (page.statusCode() == 429) {
                refusedAt = i;
                assertThat(page.headers().firstValue("Retry-After")).isPresent();
                assertThat(page.body()).contains("Too many sign-in attempts");
            } else {
                assertThat(page.statusCode()).isEqualTo(400); // the handle does not resolve
            }
        }
        assertThat(refusedAt).isEqualTo(config.login().perClient() + 1);
    }

    @Test
    void serviceAuthTokensFromUnknownIssuersAreBoundedBeforeAnyFetch() throws Exception {
        HttpClient client = from("127.0.0.3");
        int refusedAt = -1;
        for (int i = 1; i <= config.serviceAuth().perClient() + 1 && refusedAt < 0; i++) {
            HttpResponse<String> answer = client.send(HttpRequest.newBuilder(
                            base.resolve("/xrpc/dev.atpin.pins.listPins"))
                    .header("Authorization", "Bearer " + tokenFrom(randomPlcDid())).GET().build(),
                    HttpResponse.BodyHandlers.ofString());
            if (answer.statusCode() == 429) {
                refusedAt = i;
                assertThat(answer.body()).contains("RateLimitExceeded");
                assertThat(answer.headers().firstValue("Retry-After")).isPresent();
            } else {
                assertThat(answer.statusCode()).isEqualTo(401);
                assertThat(answer.body()).contains("InvalidToken");
            }
        }
        assertThat(refusedAt).isEqualTo(config.serviceAuth().perClient() + 1);
        // another client still gets in line (a stranger's flood is not everyone's outage)
        HttpResponse<String> other = from("127.0.0.4").send(HttpRequest.newBuilder(
                        base.resolve("/xrpc/dev.atpin.pins.listPins"))
                .header("Authorization", "Bearer " + tokenFrom(randomPlcDid())).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(other.statusCode()).isEqualTo(401);
    }

    private static String randomPlcDid() {
        String alphabet = "abcdefghijklmnopqrstuvwxyz234567";
        StringBuilder id = new StringBuilder("did:plc:");
        java.util.concurrent.ThreadLocalRandom random = java.util.concurrent.ThreadLocalRandom.current();
        for (int i = 0; i < 24; i++) {
            id.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return id.toString();
    }

    /** A well-formed token for our service from an issuer nobody can resolve (the signature never gets checked). */
    private static String tokenFrom(String iss) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String claims = "{\"iss\":\"" + iss + "\",\"aud\":\"did:web:localhost\",\"lxm\":\"dev.atpin.pins.listPins\","
                + "\"exp\":" + (Instant.now().getEpochSecond() + 60) + ",\"jti\":\"" + UUID.randomUUID() + "\"}";
        return b64.encodeToString("{\"alg\":\"ES256K\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new byte[64]);
    }
}
