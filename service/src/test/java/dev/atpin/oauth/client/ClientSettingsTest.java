package dev.atpin.oauth.client;

import dev.atpin.oauth.OAuthConfigs;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Which client we are, derived from atpin.oauth.*: the mode, the client_id, the redirect URI and the scopes. */
class ClientSettingsTest {

    @Test
    void theDefaultsMakeTheLoopbackClientOnTheLocalPort() {
        ClientSettings settings = ClientSettings.from(OAuthConfigs.of());

        assertThat(settings.mode()).isEqualTo(ClientMode.LOOPBACK);
        assertThat(settings.redirectUri()).isEqualTo(URI.create("http://127.0.0.1:8080/oauth/callback"));
        assertThat(settings.clientId()).startsWith("http://localhost?redirect_uri=");
        String decoded = URLDecoder.decode(settings.clientId(), StandardCharsets.UTF_8);
        assertThat(decoded).contains("redirect_uri=http://127.0.0.1:8080/oauth/callback")
                .contains("scope=atproto repo:dev.atpin.pin repo:dev.atpin.enrollment");
    }

    @Test
    void weAskForTheNarrowestScopesAndNeverTransitionGeneric() {
        assertThat(ClientSettings.from(OAuthConfigs.of()).scope())
                .isEqualTo("atproto repo:dev.atpin.pin repo:dev.atpin.enrollment");
        assertThat(ClientSettings.from(OAuthConfigs.of("pin-collection", "com.example.pin", "blob-scope", "true",
                "enrollment-collection", "com.example.enroll")).scope())
                .isEqualTo("atproto repo:com.example.pin repo:com.example.enroll blob:*/*");
        assertThat(ClientSettings.from(OAuthConfigs.of()).scope()).doesNotContain("transition:");
    }

    @Test
    void anHttpsPublicUrlMakesTheConfidentialClientWhoseIdIsItsMetadataUrl() {
        ClientSettings settings = ClientSettings.from(OAuthConfigs.of("public-url", "https://pin.example.com/"));

        assertThat(settings.mode()).isEqualTo(ClientMode.CONFIDENTIAL);
        assertThat(settings.clientId()).isEqualTo("https://pin.example.com/oauth/client-metadata.json");
        assertThat(settings.redirectUri()).isEqualTo(URI.create("https://pin.example.com/oauth/callback"));
        assertThat(settings.jwksUri()).isEqualTo(URI.create("https://pin.example.com/oauth/jwks.json"));
    }

    @Test
    void impossibleCombinationsFailAtStartWithAClearMessage() {
        assertThatThrownBy(() -> ClientSettings.from(OAuthConfigs.of("public-url", "http://localhost:8080")))
                .hasMessageContaining("http://127.0.0.1:PORT");
        assertThatThrownBy(() -> ClientSettings.from(OAuthConfigs.of("public-url", "http://pin.example.com")))
                .hasMessageContaining("needs an https");
        assertThatThrownBy(() -> ClientSettings.from(OAuthConfigs.of("public-url", "https://127.0.0.1",
                "mode", "confidential"))).hasMessageContaining("real host name");
        assertThatThrownBy(() -> ClientSettings.from(OAuthConfigs.of("public-url", "https://pin.example.com",
                "mode", "loopback"))).hasMessageContaining("loopback OAuth client needs");
        assertThatThrownBy(() -> ClientSettings.from(OAuthConfigs.of("public-url", "https://pin.example.com/app")))
                .hasMessageContaining("without a path");
    }
}
