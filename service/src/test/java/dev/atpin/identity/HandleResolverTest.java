package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.UnsafeUrlException;
import dev.atpin.testing.LoopbackDnsServer;
import dev.atpin.testing.LoopbackHttpServer;
import java.net.DatagramSocket;
import java.net.InetAddress;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Handle → DID with the real JNDI DNS client against a loopback DNS server, and the HTTPS method's refusals.
 * Nothing here queries the machine's DNS servers.
 */
class HandleResolverTest {

    private static final String ALICE = "did:plc:7iza6de2dwap2sbkpav7c6c6";
    private static final String BOB = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";

    private LoopbackDnsServer dnsServer;
    private LoopbackHttpServer httpServer;
    private SafeHttpClient http;
    private HandleResolver resolver;

    @BeforeEach
    void start() {
        dnsServer = new LoopbackDnsServer(Map.of(
                "_atproto.alice.example.com", List.of("v=spf1 -all", "did=" + ALICE),
                "_atproto.split.example.com", List.of("did=" + BOB, "did=" + ALICE),
                "_atproto.garbage.example.com", List.of("did=not a did"),
                "_atproto.loopback.example.com", List.of("unrelated")));
        httpServer = new LoopbackHttpServer().text("/.well-known/atproto-did", "text/plain", ALICE);
        http = new SafeHttpClient(SafeHttpClient.Settings.defaults());
        resolver = new HandleResolver(http, dns(dnsServer.address()), Optional.empty());
    }

    @AfterEach
    void stop() {
        dnsServer.close();
        httpServer.close();
        http.close();
    }

    @Test
    void theDnsTxtRecordGivesTheDid() {
        assertThat(resolver.resolve(new Handle("Alice.Example.com"))).contains(new Did(ALICE));
        assertThat(dnsServer.queries()).isEqualTo(1);
    }

    @Test
    void twoDifferentDidsInDnsAreAnError() {
        assertThatThrownBy(() -> resolver.viaDns(new Handle("split.example.com")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("conflicting DIDs");
    }

    @Test
    void aMalformedDidInDnsIsAnError() {
        assertThatThrownBy(() -> resolver.viaDns(new Handle("garbage.example.com")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("malformed DID in DNS");
    }

    @Test
    void aMissingNameGivesNoDidFromDns() {
        assertThat(resolver.viaDns(new Handle("nobody.example.com"))).isEmpty();
        assertThat(dnsServer.queries()).isEqualTo(1);
    }

    @Test
    void aHandleWhoseWellKnownHostIsLoopbackIsRefusedWithoutARequest() {
        // no did= in DNS, so the HTTPS method runs, and loopback.example.com resolves to 127.0.0.1
        assertThatThrownBy(() -> resolver.resolve(new Handle("loopback.example.com")))
                .isInstanceOf(IdentityException.class)
                .hasMessageContaining("handle loopback.example.com cannot be resolved")
                .hasMessageContaining("resolves to 127.0.0.1, a loopback address")
                .hasCauseInstanceOf(UnsafeUrlException.class);
        assertThat(httpServer.requests()).isEmpty();
    }

    @Test
    void aHandleWhoseWellKnownHostIsPrivateIsRefused() {
        assertThatThrownBy(() -> resolver.viaWellKnown(new Handle("private.example.com")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("a private address")
                .hasCauseInstanceOf(UnsafeUrlException.class);
    }

    @Test
    void reservedAndTestTopLevelDomainsAreNeverLookedUp() {
        assertThatThrownBy(() -> resolver.resolve(new Handle("printer.local")))
                .isInstanceOf(IdentityException.class).hasMessageContaining(".local top-level domain is reserved");
        assertThatThrownBy(() -> resolver.resolve(new Handle("alice.test")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("for development only");
        assertThat(dnsServer.queries()).isZero();
    }

    @Test
    void aTestHandleNeedsTheDevelopmentFlagEvenWithADevResolver() {
        HandleResolver configured = new HandleResolver(http, dns(dnsServer.address()),
                Optional.of(java.net.URI.create(httpServer.url())));
        assertThatThrownBy(() -> configured.resolve(new Handle("alice.test")))
                .isInstanceOf(IdentityException.class).hasMessageContaining("for development only");
        assertThat(httpServer.requests()).isEmpty();
    }

    @Test
    void aDnsServerThatNeverAnswersTimesOutAndCountsAsNoAnswer() throws Exception {
        try (DatagramSocket silent = new DatagramSocket(0, InetAddress.getLoopbackAddress())) {
            DnsTxtResolver dns = new DnsTxtResolver(Duration.ofMillis(300),
                    List.of("127.0.0.1:" + silent.getLocalPort()));
            long start = System.nanoTime();
            assertThatThrownBy(() -> dns.lookup("_atproto.alice.example.com"))
                    .isInstanceOf(IdentityException.class).hasMessageContaining("DNS TXT lookup");
            assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(3));
            HandleResolver withSilentDns = new HandleResolver(http, dns, Optional.empty());
            assertThat(withSilentDns.viaDns(new Handle("alice.example.com"))).isEmpty();
        }
    }

    private static DnsTxtResolver dns(String server) {
        return new DnsTxtResolver(Duration.ofSeconds(2), List.of(server));
    }
}
