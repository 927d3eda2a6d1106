package dev.atpin.auth;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.time.Instant;
import java.util.HexFormat;
import java.util.Optional;
import java.util.UUID;

/**
 * Tokens already verified, by the SHA-256 of the token text, for the revocation TTL: a client that
 * sends the same token again skips the ES256 signature check and the parsing (the dominant cost of
 * an authenticated call). Only the hash is kept, never the token. An entry never outlives the
 * token's own {@code exp}, and {@link #forget} drops a revoked token at once on this replica;
 * other replicas see a revocation within the TTL, exactly as with the token-state cache.
 */
final class VerifiedTokens {

    private record Entry(Caller caller, Instant expiresAt) {}

    private final Cache<String, Entry> entries;

    VerifiedTokens(Duration ttl) {
        this.entries = Caffeine.newBuilder().expireAfterWrite(ttl).maximumSize(100_000).build();
    }

    Optional<Caller> get(String token) {
        Entry e = entries.getIfPresent(hash(token));
        if (e == null) {
            return Optional.empty();
        }
        if (!Instant.now().isBefore(e.expiresAt())) {
            entries.invalidate(hash(token));
            return Optional.empty();
        }
        return Optional.of(e.caller());
    }

    void put(String token, Caller caller, Instant expiresAt) {
        entries.put(hash(token), new Entry(caller, expiresAt));
    }

    /** Forgets every cached token with this id (revoked here). */
    void forget(UUID tokenId) {
        entries.asMap().values().removeIf(e -> e.caller().tokenId().equals(tokenId));
    }

    private static String hash(String token) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(token.getBytes(StandardCharsets.UTF_8)));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
