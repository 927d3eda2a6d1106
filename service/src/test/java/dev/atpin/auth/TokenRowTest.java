package dev.atpin.auth;

import static io.restassured.RestAssured.given;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@code api_token} row: a revocation can never be undone, and an account holds a bounded number of tokens. */
@QuarkusTest
class TokenRowTest {

    @Inject
    TokenService tokens;

    @Inject
    AuthConfig config;

    private static Connection sql() throws Exception {
        return DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres", "postgres");
    }

    @Test
    void aRevokeThatCommitsWhileTheLastUseIsNotedStaysRevoked() throws Exception {
        String did = "did:plc:tokenrow" + UUID.randomUUID().toString().substring(0, 8);
        TokenService.Minted minted = tokens.mint(did, "raced", Set.of(Scope.READ), Optional.empty());
        try (Connection revoker = sql()) {
            // The revoke holds the row lock, not yet committed: the authentication below reads the row as live,
            // then its last-used write waits for the lock, and runs after the revoke has committed.
            revoker.setAutoCommit(false);
            try (PreparedStatement revoke = revoker.prepareStatement(
                    "update api_token set revoked_at = now() where id = ?")) {
                revoke.setObject(1, minted.id());
                assertThat(revoke.executeUpdate()).isEqualTo(1);
            }
            CompletableFuture<Optional<Caller>> auth = CompletableFuture.supplyAsync(() -> tokens.authenticate(minted.token()));
            await().atMost(Duration.ofSeconds(30)).until(() -> lastUseWaitsForALock(revoker));
            revoker.commit();
            auth.get(30, TimeUnit.SECONDS);
        }
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement(
                "select revoked_at is not null, last_used_at is not null from api_token where id = ?")) {
            q.setObject(1, minted.id());
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getBoolean(1)).as("still revoked").isTrue();
                assertThat(rs.getBoolean(2)).as("the use was noted").isTrue();
            }
        }
        assertThat(tokens.authenticate(minted.token())).isEmpty();
        given().header("Authorization", "Bearer " + minted.token()).get("/psa/pins").then().statusCode(401);
    }

    private static boolean lastUseWaitsForALock(Connection other) throws Exception {
        try (Connection c = sql(); PreparedStatement q = c.prepareStatement("""
                select count(*) from pg_stat_activity
                where wait_event_type = 'Lock' and query ilike 'update api_token%'""")) {
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1) > 0;
            }
        }
    }

    @Test
    void anAccountCannotHoldMoreThanTheLimitOfLiveTokens() {
        String did = "did:plc:tokencap" + UUID.randomUUID().toString().substring(0, 8);
        int limit = config.maxTokensPerAccount();
        UUID first = null;
        for (int i = 0; i < limit; i++) {
            UUID id = tokens.mint(did, "t" + i, Set.of(Scope.READ), Optional.empty()).id();
            first = first == null ? id : first;
        }
        assertThatThrownBy(() -> tokens.mint(did, "one too many", Set.of(Scope.READ), Optional.empty()))
                .isInstanceOf(TooManyTokens.class)
                .hasMessageContaining(String.valueOf(limit));
        // A revoked token no longer counts.
        assertThat(tokens.revoke(did, first)).isTrue();
        assertThat(tokens.mint(did, "after a revoke", Set.of(Scope.READ), Optional.empty()).token()).isNotBlank();
    }

    @Test
    void aMintedTokenPrintsWithoutTheToken() {
        TokenService.Minted minted = tokens.mint("did:plc:tokenprint" + UUID.randomUUID().toString().substring(0, 8),
                "printed", Set.of(Scope.READ), Optional.empty());
        assertThat(minted.toString()).doesNotContain(minted.token()).contains(minted.id().toString());
    }
}
