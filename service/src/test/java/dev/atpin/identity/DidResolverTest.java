package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.ResponseTooLargeException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.UnsafeUrlException;
import dev.atpin.testing.LoopbackHttpServer;
import java.net.URI;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** did:web rules, refusals and the document cache, against a did:web document served on loopback. */
class DidResolverTest {

    private static final String KEY = "zQ3shqwJEJyMBsBXCWyCBpUBMqxcon9oHB7mCvx4sSpMdLJwc";

    private LoopbackHttpServer server;
    private Did webDid;
    private SafeHttpClient strict;
    private SafeHttpClient dev;

    @BeforeEach
    void start() {
        server = new LoopbackHttpServer();
        webDid = new Did("did:web:localhost%3A" + server.port());
        server.text("/.well-known/did.json", "application/json", """
                {"id":"%s","alsoKnownAs":["at://web.example.com"],
                 "verificationMethod":[{"id":"%s#atproto","type":"Multikey","controller":"%s",
                   "publicKeyMultibase":"%s"}],
                 "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer",
                   "serviceEndpoint":"https://pds.example.com"}]}
                """.formatted(webDid, webDid, webDid, KEY));
        strict = new SafeHttpClient(SafeHttpClient.Settings.defaults());
        dev = new SafeHttpClient(SafeHttpClient.Settings.defaults().withAllowInsecureLocal(true));
    }

    @AfterEach
    void stop() {
        server.close();
        strict.close();
        dev.close();
    }

    @Test
    void aLocalhostDidWebIsReadWithTheDevelopmentFlag() {
        DidDocument doc = resolver(dev).resolve(webDid);
        assertThat(doc.handle()).contains(new Handle("web.example.com"));
        assertThat(doc.pds()).contains(URI.create("https://pds.example.com"));
        assertThat(doc.signingKey()).contains(AtprotoKey.fromMultikey(KEY));
        assertThat(server.requests()).containsExactly("/.well-known/did.json");
    }

    @Test
    void aLocalhostDidWebIsRefusedWithoutTheDevelopmentFlag() {
        assertThatThrownBy(() -> resolver(strict).resolve(webDid))
                .isInstanceOf(IdentityException.class).hasMessageContaining("for development only");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aDidWebOnAPrivateAddressIsRefused() {
        assertThatThrownBy(() -> resolver(strict).resolve(new Did("did:web:10.0.0.7")))
                .isInstanceOf(IdentityException.class)
                .hasMessage("cannot resolve did:web:10.0.0.7: refused https://10.0.0.7/.well-known/did.json: "
                        + "10.0.0.7 resolves to 10.0.0.7, a private address")
                .hasCauseInstanceOf(UnsafeUrlException.class);
        assertThatThrownBy(() -> resolver(dev).resolve(new Did("did:web:private.example.com")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("a private address");
    }

    @Test
    void didWebPathsPortsAndOtherMethodsAreRefused() {
        DidResolver resolver = resolver(dev);
        assertThatThrownBy(() -> resolver.resolve(new Did("did:web:example.com:user:alice")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("with a path");
        assertThatThrownBy(() -> resolver.resolve(new Did("did:web:example.com%3A8443")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("only carry a port for localhost");
        assertThatThrownBy(() -> resolver.resolve(new Did("did:key:" + KEY)))
                .isInstanceOf(IdentityException.class).hasMessageContaining("unsupported DID method key");
        assertThatThrownBy(() -> resolver.resolve(new Did("did:plc:tooshort")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("not a valid did:plc");
    }

    @Test
    void anOversizedDocumentIsRefused() {
        try (LoopbackHttpServer big = new LoopbackHttpServer();
                SafeHttpClient small = new SafeHttpClient(new SafeHttpClient.Settings(true, Duration.ofSeconds(2),
                        Duration.ofSeconds(5), 1024, 3))) {
            Did did = new Did("did:web:localhost%3A" + big.port());
            big.text("/.well-known/did.json", "application/json", "{\"pad\":\"" + "x".repeat(4096) + "\"}");
            assertThatThrownBy(() -> resolver(small).resolve(did))
                    .isInstanceOf(IdentityException.class).hasMessageContaining("larger than 1024 bytes")
                    .hasCauseInstanceOf(ResponseTooLargeException.class);
        }
    }

    @Test
    void documentsComeFromTheCacheUntilRefreshed() {
        MutableClock clock = new MutableClock();
        DidResolver resolver = new DidResolver(dev, new DidResolver.Settings(URI.create("https://plc.example.com"),
                Duration.ofMinutes(5), 100, Duration.ofSeconds(10)), clock);
        DidDocument first = resolver.resolve(webDid);
        assertThat(resolver.resolve(webDid)).isSameAs(first);
        // a refresh right after a fetch reuses it: bad signatures must not turn into a flood of fetches
        assertThat(resolver.refresh(webDid)).isSameAs(first);
        assertThat(server.requests()).hasSize(1);

        clock.advance(Duration.ofSeconds(11));
        DidDocument refreshed = resolver.refresh(webDid);
        assertThat(refreshed).isNotSameAs(first);
        assertThat(server.requests()).hasSize(2);
        assertThat(resolver.resolve(webDid)).isSameAs(refreshed);
    }

    @Test
    void cachedDocumentsExpireAfterTheTtl() throws Exception {
        DidResolver resolver = new DidResolver(dev, new DidResolver.Settings(URI.create("https://plc.example.com"),
                Duration.ofMillis(200), 100, Duration.ZERO));
        resolver.resolve(webDid);
        Thread.sleep(300);
        resolver.resolve(webDid);
        assertThat(server.requests()).hasSize(2);
    }

    private static DidResolver resolver(SafeHttpClient http) {
        return new DidResolver(http, new DidResolver.Settings(URI.create("https://plc.example.com"),
                Duration.ofMinutes(5), 100, Duration.ofSeconds(10)));
    }

    private static final class MutableClock extends Clock {
        private Instant now = Instant.parse("2025-01-01T00:00:00Z");

        void advance(Duration d) {
            now = now.plus(d);
        }

        @Override
        public Instant instant() {
            return now;
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }
    }
}
