package dev.atpin.oauth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** What a token response must be for us to use it (atproto profile): DPoP-bound, for a DID, with atproto. */
class TokenResponseTest {

    private static final Instant SENT = Instant.parse("2026-01-01T00:00:00Z");

    private static JsonNode json(String body) throws Exception {
        return new ObjectMapper().readTree(body);
    }

    @Test
    void aGoodResponseGivesTokensWithTheirExpiry() throws Exception {
        Tokens tokens = TokenClient.parse(json("""
                {"access_token":"secret-access","token_type":"DPoP","refresh_token":"secret-refresh","expires_in":3600,
                 "scope":"atproto repo:dev.atpin.pin","sub":"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}"""), SENT);

        assertThat(tokens.sub()).isEqualTo("did:plc:ewvi7nxzyoun6zhxrhs64oiz");
        assertThat(tokens.refreshToken()).contains("secret-refresh");
        assertThat(tokens.accessExpiresAt()).contains(SENT.plusSeconds(3600));
        assertThat(tokens.hasScope("repo:dev.atpin.pin")).isTrue();
        assertThat(tokens.toString()).doesNotContain("secret"); // never into a log line by accident
    }

    @Test
    void aResponseWithoutTheAtprotoScopeIsRefused() {
        assertThatThrownBy(() -> TokenClient.parse(json("""
                {"access_token":"at","token_type":"DPoP","scope":"repo:dev.atpin.pin",
                 "sub":"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}"""), SENT))
                .isInstanceOf(OAuthException.class).hasMessageContaining("atproto scope");
    }

    @Test
    void aBearerTokenIsRefused() {
        assertThatThrownBy(() -> TokenClient.parse(json("""
                {"access_token":"at","token_type":"Bearer","scope":"atproto",
                 "sub":"did:plc:ewvi7nxzyoun6zhxrhs64oiz"}"""), SENT))
                .isInstanceOf(OAuthException.class).hasMessageContaining("not DPoP-bound");
    }

    @Test
    void aResponseThatDoesNotSayWhichAccountIsRefused() {
        assertThatThrownBy(() -> TokenClient.parse(json("""
                {"access_token":"at","token_type":"DPoP","scope":"atproto","sub":"alice"}"""), SENT))
                .isInstanceOf(OAuthException.class).hasMessageContaining("(sub)");
    }
}
