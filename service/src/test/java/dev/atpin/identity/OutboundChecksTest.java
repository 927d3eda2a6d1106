package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.OriginDials;
import dev.atpin.identity.net.ResponseTooLargeException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.SafeHttpClient.Options;
import dev.atpin.identity.net.UnsafeUrlException;
import dev.atpin.identity.net.UrlPolicy;
import dev.atpin.testing.LoopbackDnsServer;
import dev.atpin.testing.LoopbackHttpServer;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The one address policy on every outbound path a user can steer: pin origins (resolved here, dialled as IP
 * literals), firehose sockets (checked per connection), and the download budget of large fetches. Names under
 * example.com resolve inside the JVM; the dnsaddr TXT records come from a DNS server on loopback.
 */
class OutboundChecksTest {

    private static final String PEER = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    private final LoopbackHttpServer server = new LoopbackHttpServer();
    private final List<LoopbackDnsServer> dnsServers = new java.util.ArrayList<>();

    @AfterEach
    void stop() {
        server.close();
        dnsServers.forEach(LoopbackDnsServer::close);
    }

    private OriginDials dials(Map<String, List<String>> txt) {
        LoopbackDnsServer dns = new LoopbackDnsServer(txt);
        dnsServers.add(dns);
        DnsTxtResolver resolver = new DnsTxtResolver(Duration.ofSeconds(2), List.of(dns.address()));
        return new OriginDials(resolver::lookup, Duration.ofSeconds(2));
    }

    @Test
    void originNamesAreResolvedAndCheckedLikeLiterals() {
        try (OriginDials dials = dials(Map.of())) {
            // names that resolve to loopback, private or metadata addresses are never handed to Kubo
            assertThat(dials.dialable("/dns4/loopback.example.com/tcp/4001/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/dns4/private.example.com/tcp/4001/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/dns/metadata.example.com/tcp/80/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/dns6/ula.example.com/tcp/4001/p2p/" + PEER, false)).isEmpty();
            // one private address among public ones refuses the name: it may be the one Kubo would use
            assertThat(dials.dialable("/dns4/mixed.example.com/tcp/4001/p2p/" + PEER, false)).isEmpty();
            // literals go through the same policy (CGNAT and documentation ranges were let through before)
            assertThat(dials.dialable("/ip4/100.64.0.1/tcp/4001/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/ip4/10.1.2.3/tcp/4001/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/ip6/::ffff:127.0.0.1/tcp/4001/p2p/" + PEER, false)).isEmpty();
            // a public name is dialled as the address it resolved to, never as the name
            assertThat(dials.dialable("/dns4/public.example.com/tcp/4001/p2p/" + PEER, false))
                    .containsExactly("/ip4/93.184.215.14/tcp/4001/p2p/" + PEER);
            assertThat(dials.dialable("/dns4/public.example.com/tcp/443/wss/p2p/" + PEER, false))
                    .containsExactly("/ip4/93.184.215.14/tcp/443/tls/sni/public.example.com/ws/p2p/" + PEER);
            assertThat(dials.dialable("/ip4/93.184.215.14/udp/4001/quic-v1/p2p/" + PEER, false)).hasSize(1);
            assertThat(dials.dialable("/p2p/" + PEER, false)).containsExactly("/p2p/" + PEER);
            // a second host further on (a circuit through a chosen address) is refused
            assertThat(dials.dialable("/ip4/93.184.215.14/tcp/4001/p2p/" + PEER
                    + "/p2p-circuit/ip4/127.0.0.1/tcp/1/p2p/" + PEER, false)).isEmpty();
            // the development flag lets local networks through, resolved all the same
            assertThat(dials.dialable("/dns4/loopback.example.com/tcp/4001/p2p/" + PEER, true))
                    .containsExactly("/ip4/127.0.0.1/tcp/4001/p2p/" + PEER);
            assertThat(dials.dialable("/dns/metadata.example.com/tcp/80/p2p/" + PEER, true)).isEmpty();
        }
    }

    @Test
    void dnsaddrRecordsAreFollowedAndEachResultChecked() {
        try (OriginDials dials = dials(Map.of(
                "_dnsaddr.peers.example.com", List.of(
                        "dnsaddr=/ip4/10.0.0.7/tcp/4001/p2p/" + PEER,
                        "dnsaddr=/dns4/public.example.com/tcp/4001/p2p/" + PEER,
                        "dnsaddr=/dnsaddr/deeper.example.com/p2p/" + PEER),
                "_dnsaddr.deeper.example.com", List.of("dnsaddr=/dns4/loopback.example.com/tcp/4001/p2p/" + PEER),
                "_dnsaddr.loop.example.com", List.of("dnsaddr=/dnsaddr/loop.example.com/p2p/" + PEER)))) {
            assertThat(dials.dialable("/dnsaddr/peers.example.com/p2p/" + PEER, false))
                    .containsExactly("/ip4/93.184.215.14/tcp/4001/p2p/" + PEER);
            assertThat(dials.dialable("/dnsaddr/loop.example.com/p2p/" + PEER, false)).isEmpty();
            assertThat(dials.dialable("/dnsaddr/nothing.example.com/p2p/" + PEER, false)).isEmpty();
        }
    }

    @Test
    void socketUrlsAreCheckedAfterResolutionWithPortRules() {
        long soon = System.nanoTime() + Duration.ofSeconds(5).toNanos();
        try (UrlPolicy strict = new UrlPolicy(false); UrlPolicy dev = new UrlPolicy(true)) {
            assertThatThrownBy(() -> strict.check(URI.create("wss://public.example.com:8443/x"), false, soon, "x"))
                    .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only port 443");
            assertThatThrownBy(() -> strict.check(URI.create("ws://public.example.com/x"), false, soon, "x"))
                    .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("only wss");
            assertThatThrownBy(() -> strict.check(URI.create("wss://private.example.com/x"), false, soon, "x"))
                    .isInstanceOf(UnsafeUrlException.class).hasMessageContaining("a private address");
            assertThat(strict.check(URI.create("wss://public.example.com/x"), false, soon, "x")).hasSize(1);
            // development: any port and loopback, never private
            assertThat(dev.check(URI.create("ws://loopback.example.com:1234/x"), false, soon, "x")).hasSize(1);
            assertThatThrownBy(() -> dev.check(URI.create("ws://private.example.com:1234/x"), false, soon, "x"))
                    .isInstanceOf(UnsafeUrlException.class);
        }
    }

    @Test
    void aLargeDownloadHasItsOwnTimeBudget() {
        server.route("/repo", exchange -> {
            try {
                Thread.sleep(1500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            LoopbackHttpServer.respond(exchange, 200, "application/vnd.ipld.car", "slow but complete");
        });
        try (SafeHttpClient client = new SafeHttpClient(new SafeHttpClient.Settings(true, Duration.ofSeconds(1),
                Duration.ofMillis(500), 1024, 3))) {
            URI url = URI.create(server.url() + "/repo");
            assertThatThrownBy(() -> client.get(url, Options.json())).isInstanceOf(FetchException.class);
            assertThat(client.get(url, Options.json().withTimeout(Duration.ofSeconds(30))).text())
                    .isEqualTo("slow but complete");
        }
    }

    @Test
    void aDownloadStreamsIntoAFileWithinItsSizeLimit() throws Exception {
        server.text("/blob", "application/octet-stream", "x".repeat(5000));
        Path file = Files.createTempFile("atpin-test-", ".bin");
        try (SafeHttpClient client = new SafeHttpClient(SafeHttpClient.Settings.defaults().withAllowInsecureLocal(true))) {
            URI url = URI.create(server.url() + "/blob");
            SafeHttpClient.Download done = client.download(url, Options.json().withMaxResponseBytes(10_000), file);
            assertThat(done.ok()).isTrue();
            assertThat(done.bytes()).isEqualTo(5000);
            assertThat(Files.size(file)).isEqualTo(5000);
            assertThatThrownBy(() -> client.download(url, Options.json().withMaxResponseBytes(4096), file))
                    .isInstanceOf(ResponseTooLargeException.class);
        } finally {
            Files.deleteIfExists(file);
        }
    }

    @Test
    void aRequestPrintsWithoutItsCredentials() {
        SafeHttpClient.Request request = SafeHttpClient.Request.post(URI.create("https://pds.example.com/token"),
                "application/x-www-form-urlencoded", "code=secret-code".getBytes())
                .withHeader("Authorization", "DPoP secret-access-token").withHeader("DPoP", "secret-proof");
        assertThat(request.toString()).doesNotContain("secret").contains("Authorization").contains("POST");
    }
}
