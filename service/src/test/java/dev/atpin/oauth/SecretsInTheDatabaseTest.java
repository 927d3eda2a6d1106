package dev.atpin.oauth;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.accounts.Accounts;
import dev.atpin.oauth.dpop.DpopKeys;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** OAuth tokens and DPoP keys are not readable from the database, and rows from before are sealed at start. */
@QuarkusTest
class SecretsInTheDatabaseTest {

    @Inject
    SessionStore sessions;

    @Inject
    SecretsMigration migration;

    @Inject
    Accounts accounts;

    private static Connection sql() throws Exception {
        return DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres", "postgres");
    }

    private OAuthSession session(String did) {
        Tokens tokens = new Tokens("access-" + UUID.randomUUID(), Optional.of("refresh-" + UUID.randomUUID()),
                "atproto", did, Optional.of(Instant.now().plus(1, ChronoUnit.HOURS)));
        return new OAuthSession(UUID.randomUUID(), did, Optional.empty(), URI.create("http://127.0.0.1:1"),
                "http://127.0.0.1:1", URI.create("http://127.0.0.1:1/token"), Optional.empty(), "client",
                Optional.empty(), DpopKeys.generate(), tokens, "csrf", Instant.now().plus(1, ChronoUnit.DAYS));
    }

    @Test
    void aSessionIsStoredSealedAndReadBackWhole() throws Exception {
        String did = "did:plc:sealed" + UUID.randomUUID().toString().substring(0, 8);
        accounts.ensureExists(did);
        OAuthSession session = session(did);
        byte[] cookie = OAuthSessions.hash(UUID.randomUUID().toString());
        sessions.create(session, cookie);
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "select dpop_jwk, access_token, refresh_token from oauth_session where id = ?")) {
            q.setObject(1, session.id());
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= 3; i++) {
                    assertThat(rs.getString(i)).startsWith("enc:v1:");
                }
                assertThat(rs.getString(1)).doesNotContain(session.dpopKey().getD().toString());
                assertThat(rs.getString(2)).doesNotContain(session.tokens().accessToken());
                assertThat(rs.getString(3)).doesNotContain(session.tokens().refreshToken().orElseThrow());
            }
        }
        OAuthSession read = sessions.findByCookie(cookie).orElseThrow();
        assertThat(read.tokens().accessToken()).isEqualTo(session.tokens().accessToken());
        assertThat(read.tokens().refreshToken()).isEqualTo(session.tokens().refreshToken());
        assertThat(read.dpopKey().toJSONString()).isEqualTo(session.dpopKey().toJSONString());
        assertThat(read.toString() + read.tokens()).doesNotContain(session.tokens().accessToken())
                .doesNotContain(session.dpopKey().getD().toString());
    }

    @Test
    void aSessionWrittenBeforeEncryptionStaysReadableAndIsSealedAtStart() throws Exception {
        String did = "did:plc:legacy" + UUID.randomUUID().toString().substring(0, 8);
        accounts.ensureExists(did);
        OAuthSession session = session(did);
        byte[] cookie = OAuthSessions.hash(UUID.randomUUID().toString());
        sessions.create(session, cookie);
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "update oauth_session set dpop_jwk = ?, access_token = ?, refresh_token = ? where id = ?")) {
            q.setString(1, DpopKeys.serialize(session.dpopKey()));
            q.setString(2, session.tokens().accessToken());
            q.setString(3, session.tokens().refreshToken().orElseThrow());
            q.setObject(4, session.id());
            q.executeUpdate();
        }
        assertThat(sessions.findByCookie(cookie).orElseThrow().tokens().accessToken())
                .isEqualTo(session.tokens().accessToken());
        migration.onStart(null);
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "select dpop_jwk, access_token, refresh_token from oauth_session where id = ?")) {
            q.setObject(1, session.id());
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                for (int i = 1; i <= 3; i++) {
                    assertThat(rs.getString(i)).startsWith("enc:v1:");
                }
            }
        }
        assertThat(sessions.findByCookie(cookie).orElseThrow().tokens().refreshToken())
                .isEqualTo(session.tokens().refreshToken());
    }
}
