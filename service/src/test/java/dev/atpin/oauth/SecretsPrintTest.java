package dev.atpin.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.oauth.dpop.DpopKeys;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Every record that holds a token, a code, a cookie or a key prints without it (log lines, exceptions, debuggers). */
class SecretsPrintTest {

    private static final String SECRET = "s3cr3t-value";

    @Test
    void recordsHoldingSecretsPrintWithoutThem() {
        Tokens tokens = new Tokens("access-" + SECRET, Optional.of("refresh-" + SECRET), "atproto", "did:plc:x",
                Optional.empty());
        var key = DpopKeys.generate();
        OAuthSession session = new OAuthSession(UUID.randomUUID(), "did:plc:x", Optional.empty(),
                URI.create("https://pds.example.com"), "https://pds.example.com", URI.create("https://pds.example.com/t"),
                Optional.empty(), "client", Optional.empty(), key, tokens, "csrf-" + SECRET, Instant.now());
        AuthServer server = new AuthServer("https://pds.example.com", null, null, URI.create("https://pds.example.com/t"),
                Optional.empty());
        PendingLogin login = new PendingLogin("state-" + SECRET, "did:plc:x", Optional.empty(),
                URI.create("https://pds.example.com"), server, "client", URI.create("https://atpin.example.com/cb"),
                Optional.empty(), key, "verifier-" + SECRET, Instant.now());
        String d = key.getD().toString();
        for (Object holder : new Object[] {tokens, session, login,
                new OAuthSessions.Created(session, "cookie-" + SECRET),
                new OAuthFlow.Callback("state-" + SECRET, Optional.of("code-" + SECRET), Optional.of("https://pds"),
                        Optional.empty(), Optional.empty()),
                new OAuthFlow.Finished(login, tokens),
                new LoginStore.Consumed(login, new byte[32])}) {
            assertThat(holder.toString()).as(holder.getClass().getSimpleName()).doesNotContain(SECRET).doesNotContain(d);
        }
    }
}
