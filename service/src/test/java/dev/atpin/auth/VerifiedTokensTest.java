package dev.atpin.auth;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.time.Instant;
import java.util.EnumSet;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** The cache of verified tokens: by hash, never past the token's expiry, forgotten on revocation. */
class VerifiedTokensTest {

    private final Caller alice = new Caller("did:plc:alice", UUID.randomUUID(), EnumSet.of(Scope.READ));

    @Test
    void aVerifiedTokenIsFoundAgainByItsText() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1));
        cache.put("token-a", alice, Instant.now().plusSeconds(3600));
        assertThat(cache.get("token-a")).contains(alice);
        assertThat(cache.get("token-b")).isEmpty();
    }

    @Test
    void anExpiredTokenIsNotServedFromTheCache() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1));
        cache.put("token-a", alice, Instant.now().minusSeconds(1));
        assertThat(cache.get("token-a")).isEmpty();
    }

    @Test
    void aRevokedTokenIsForgottenAtOnce() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ofMinutes(1));
        cache.put("token-a", alice, Instant.now().plusSeconds(3600));
        cache.forget(alice.tokenId());
        assertThat(cache.get("token-a")).isEmpty();
    }

    @Test
    void aZeroTtlCachesNothing() {
        VerifiedTokens cache = new VerifiedTokens(Duration.ZERO);
        cache.put("token-a", alice, Instant.now().plusSeconds(3600));
        assertThat(cache.get("token-a")).isEmpty();
    }
}
