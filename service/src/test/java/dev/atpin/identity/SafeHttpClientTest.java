package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.ResponseTooLargeException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.SafeHttpClient.Options;
import dev.atpin.identity.net.UnsafeUrlException;
import dev.atpin.testing.LoopbackHttpServer;
import dev.atpin.testing.TestHostsResolverProvider;
import java.io.OutputStream;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * What the client for user-supplied URLs refuses, and that refused URLs are never requested. Host names under
 * example.com resolve inside the JVM ({@link TestHostsResolverProvider}), so no DNS query leaves the machine.
 */
class SafeHttpClientTest {

    private static final SafeHttpClient.Settings STRICT = new SafeHttpClient.Settings(false, Duration.ofSeconds(2),
            Duration.ofSeconds(5), 1024 * 1024, 3);
    private static final SafeHttpClient.Settings DEV = STRICT.withAllowInsecureLocal(true);

    private LoopbackHttpServer server;
    private SafeHttpClient strict;
    private SafeHttpClient dev;

    @BeforeEach
    void start() {
        server = new LoopbackHttpServer().text("/ok", "text/plain", "hello");
        strict = new SafeHttpClient(STRICT);
        dev = new SafeHttpClient(DEV);
    }

    @AfterEach
    void stop() {
        server.close();
        strict.close();
        dev.close();
    }

    @Test
    void plainHttpIsRefused() {
        assertThatThrownBy(() -> strict.get(URI.create("http://loopback.example.com:" + server.port() + "/ok"),
                Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only https URLs are allowed");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void otherSchemesPortsAndCredentialsAreRefusedBeforeAnyLookup() {
        assertThatThrownBy(() -> strict.get(URI.create("file:///etc/passwd"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only https");
        assertThatThrownBy(() -> strict.get(URI.create("https://pds.example.org:8443/"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only port 443");
        assertThatThrownBy(() -> strict.get(URI.create("http://pds.example.org:8080/"),
                Options.json().withPlainHttp(true)))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only port 80");
        assertThatThrownBy(() -> strict.get(URI.create("https://user:secret@pds.example.org/"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("credentials")
                .hasMessageNotContaining("secret");
    }

    @Test
    void aHostNameThatResolvesToLoopbackIsRefused() {
        assertThatThrownBy(() -> strict.get(URI.create("https://loopback.example.com/ok"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class)
                .hasMessage("refused https://loopback.example.com/ok: loopback.example.com resolves to 127.0.0.1, "
                        + "a loopback address");
        assertThat(server.requests()).isEmpty();
    }

    @ParameterizedTest(name = "{0} is refused as {1}")
    @CsvSource({
        "https://private.example.com/, private",
        "https://metadata.example.com/latest/meta-data/, link-local",
        "https://ula.example.com/, unique-local",
        "https://loopback6.example.com/, loopback",
        "https://mixed.example.com/, private",
        "https://10.0.0.7/, private",
        "https://169.254.169.254/, link-local",
        "https://[::1]/, loopback",
        "https://[::ffff:127.0.0.1]/, loopback",
        "https://0.0.0.0/, unspecified",
        "https://[fe80::1]/, link-local",
    })
    void everyNonPublicAddressIsRefused(String url, String category) {
        assertThatThrownBy(() -> strict.get(URI.create(url), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageEndingWith("a " + category + " address");
    }

    @Test
    void httpAllowedByTheCallerStillNeverReachesLoopback() {
        assertThatThrownBy(() -> strict.get(URI.create("http://127.0.0.1/ok"), Options.json().withPlainHttp(true)))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("loopback");
    }

    @Test
    void theDevelopmentFlagAllowsLoopbackOverHttp() {
        SafeHttpClient.Response response = dev.get(URI.create("http://loopback.example.com:" + server.port() + "/ok"),
                Options.text(100));
        assertThat(response.status()).isEqualTo(200);
        assertThat(response.text()).isEqualTo("hello");
        assertThat(server.requests()).containsExactly("/ok");
    }

    @Test
    void theDevelopmentFlagStillRefusesPrivateAddresses() {
        assertThatThrownBy(() -> dev.get(URI.create("http://10.0.0.7:" + server.port() + "/"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("a private address");
    }

    @Test
    void aRedirectToAPrivateAddressIsRefusedAndNotFollowed() {
        server.redirect("/hop", 302, "http://private.example.com:" + server.port() + "/ok");
        assertThatThrownBy(() -> dev.get(URI.create(server.url() + "/hop"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class)
                .hasMessageStartingWith("refused redirect to http://private.example.com:")
                .hasMessageEndingWith("resolves to 10.0.0.7, a private address");
        assertThat(server.requests()).containsExactly("/hop");
    }

    @Test
    void aRedirectToCloudMetadataIsRefused() {
        server.redirect("/hop", 307, "http://169.254.169.254/latest/meta-data/");
        assertThatThrownBy(() -> dev.get(URI.create(server.url() + "/hop"), Options.json()))
                .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("a link-local address");
    }

    @Test
    void redirectsAreFollowedUpToTheLimit() {
        server.redirect("/a", 302, "/b").redirect("/b", 301, server.url() + "/ok");
        assertThat(dev.get(URI.create(server.url() + "/a"), Options.text(100)).text()).isEqualTo("hello");
        assertThat(server.requests()).containsExactly("/a", "/b", "/ok");
    }

    @Test
    void moreRedirectsThanTheLimitFail() {
        server.redirect("/r1", 302, "/r2").redirect("/r2", 302, "/r3").redirect("/r3", 302, "/r4")
                .redirect("/r4", 302, "/ok");
        assertThatThrownBy(() -> dev.get(URI.create(server.url() + "/r1"), Options.json()))
                .isInstanceOf(FetchException.class).hasMessageContaining("too many redirects")
                .hasMessageContaining("more than 3");
        assertThat(server.requests()).containsExactly("/r1", "/r2", "/r3", "/r4");
    }

    @Test
    void aResponseLargerThanTheLimitIsRefused() {
        server.text("/big", "application/json", "x".repeat(1024 * 1024 + 1));
        assertThatThrownBy(() -> dev.get(URI.create(server.url() + "/big"), Options.json()))
                .isInstanceOf(ResponseTooLargeException.class).hasMessageContaining("larger than 1048576 bytes");
    }

    @Test
    void aStreamedResponseIsCutOffAtTheLimit() {
        server.route("/stream", exchange -> {
            exchange.sendResponseHeaders(200, 0); // chunked: no Content-Length to refuse up front
            try (OutputStream out = exchange.getResponseBody()) {
                for (int i = 0; i < 64; i++) {
                    out.write(new byte[1024]);
                    out.flush();
                }
            } catch (java.io.IOException expected) {
                // the client hangs up once it has seen enough
            }
        });
        assertThatThrownBy(() -> dev.get(URI.create(server.url() + "/stream"), Options.text(4096)))
                .isInstanceOf(ResponseTooLargeException.class).hasMessageContaining("larger than 4096 bytes");
    }

    @Test
    void aSlowServerRunsIntoTheTotalTimeout() {
        server.route("/slow", exchange -> {
            try {
                Thread.sleep(3000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LoopbackHttpServer.respond(exchange, 200, "text/plain", "late");
        });
        SafeHttpClient impatient = new SafeHttpClient(new SafeHttpClient.Settings(true, Duration.ofSeconds(1),
                Duration.ofMillis(500), 1024, 3));
        long start = System.nanoTime();
        assertThatThrownBy(() -> impatient.get(URI.create(server.url() + "/slow"), Options.json()))
                .isInstanceOf(FetchException.class).hasMessageContaining("no complete response within 500 ms");
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(2));
        impatient.close();
    }
}
