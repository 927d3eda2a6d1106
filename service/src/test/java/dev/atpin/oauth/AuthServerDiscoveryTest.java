package dev.atpin.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.Did;
import dev.atpin.identity.DidDocument;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.testing.LoopbackHttpServer;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * PDS → authorization server: the metadata checks of the atproto profile, and SSRF refusals with the
 * development flag off (a DID document may name any PDS URL its owner likes).
 */
class AuthServerDiscoveryTest {

    private LoopbackHttpServer server;
    private SafeHttpClient dev;
    private SafeHttpClient production;

    @BeforeEach
    void start() {
        server = new LoopbackHttpServer();
        dev = new SafeHttpClient(SafeHttpClient.Settings.defaults().withAllowInsecureLocal(true));
        production = new SafeHttpClient(SafeHttpClient.Settings.defaults());
    }

    @AfterEach
    void stop() {
        server.close();
        dev.close();
        production.close();
    }

    @Test
    void aDidDocumentNamingAPdsOnAPrivateAddressIsRefusedBeforeAnythingIsSent() throws Exception {
        DidDocument doc = DidDocument.parse(new Did("did:plc:ewvi7nxzyoun6zhxrhs64oiz"), new ObjectMapper().readTree("""
                {"id": "did:plc:ewvi7nxzyoun6zhxrhs64oiz",
                 "service": [{"id": "#atproto_pds", "type": "AtprotoPersonalDataServer",
                              "serviceEndpoint": "https://private.example.com"}]}"""), Instant.now());

        assertThatThrownBy(() -> new AuthServerDiscovery(production).forPds(doc.pds().orElseThrow()))
                .isInstanceOf(OAuthException.class)
                .hasMessageContaining("private.example.com resolves to 10.0.0.7, a private address");
    }

    @Test
    void aPdsOnLoopbackIsRefusedWithoutTheDevelopmentFlag() {
        serveMetadata(server.url(), server.url());

        assertThatThrownBy(() -> new AuthServerDiscovery(production).forPds(URI.create(server.url())))
                .isInstanceOf(OAuthException.class).hasMessageContaining("refused");
        assertThat(server.requests()).isEmpty();
    }

    @Test
    void aWellFormedAuthorizationServerIsFoundWithItsEndpoints() {
        serveMetadata(server.url(), server.url());

        AuthServer as = new AuthServerDiscovery(dev).forPds(URI.create(server.url()));

        assertThat(as.issuer()).isEqualTo(server.url());
        assertThat(as.parEndpoint()).isEqualTo(URI.create(server.url() + "/oauth/par"));
        assertThat(as.tokenEndpoint()).isEqualTo(URI.create(server.url() + "/oauth/token"));
        assertThat(as.revocationEndpoint()).contains(URI.create(server.url() + "/oauth/revoke"));
    }

    @Test
    void metadataWhoseIssuerIsNotTheOriginFetchedIsRefused() {
        serveMetadata(server.url(), "https://bsky.social");

        assertThatThrownBy(() -> new AuthServerDiscovery(dev).forPds(URI.create(server.url())))
                .isInstanceOf(OAuthException.class).hasMessageContaining("claims to be https://bsky.social");
    }

    @Test
    void protectedResourceMetadataForAnotherServerIsRefused() {
        server.text("/.well-known/oauth-protected-resource", "application/json",
                "{\"resource\":\"https://elsewhere.example.com\",\"authorization_servers\":[\"" + server.url() + "\"]}");

        assertThatThrownBy(() -> new AuthServerDiscovery(dev).forPds(URI.create(server.url())))
                .isInstanceOf(OAuthException.class).hasMessageContaining("different server");
    }

    @Test
    void morethanOneAuthorizationServerIsRefused() {
        server.text("/.well-known/oauth-protected-resource", "application/json", "{\"resource\":\"" + server.url()
                + "\",\"authorization_servers\":[\"" + server.url() + "\",\"https://other.example.com\"]}");

        assertThatThrownBy(() -> new AuthServerDiscovery(dev).forPds(URI.create(server.url())))
                .isInstanceOf(OAuthException.class).hasMessageContaining("exactly one authorization server");
    }

    @Test
    void anAuthorizationServerWithoutWhatAtprotoRequiresIsRefused() {
        server.text("/.well-known/oauth-protected-resource", "application/json", "{\"resource\":\"" + server.url()
                + "\",\"authorization_servers\":[\"" + server.url() + "\"]}");
        server.text("/.well-known/oauth-authorization-server", "application/json", "{\"issuer\":\"" + server.url()
                + "\",\"code_challenge_methods_supported\":[\"plain\"]}");

        assertThatThrownBy(() -> new AuthServerDiscovery(dev).forPds(URI.create(server.url())))
                .isInstanceOf(OAuthException.class).hasMessageContaining("S256");
    }

    private void serveMetadata(String resourceOrigin, String issuer) {
        String base = server.url();
        server.text("/.well-known/oauth-protected-resource", "application/json",
                "{\"resource\":\"" + resourceOrigin + "\",\"authorization_servers\":[\"" + base + "\"]}");
        server.text("/.well-known/oauth-authorization-server", "application/json", """
                {"issuer": "%s",
                 "authorization_endpoint": "%s/oauth/authorize",
                 "token_endpoint": "%s/oauth/token",
                 "revocation_endpoint": "%s/oauth/revoke",
                 "pushed_authorization_request_endpoint": "%s/oauth/par",
                 "require_pushed_authorization_requests": true,
                 "response_types_supported": ["code"],
                 "code_challenge_methods_supported": ["S256"],
                 "dpop_signing_alg_values_supported": ["ES256"],
                 "scopes_supported": ["atproto", "transition:generic"],
                 "authorization_response_iss_parameter_supported": true,
                 "client_id_metadata_document_supported": true}""".formatted(issuer, base, base, base, base));
    }
}
