package dev.atpin.dashboard.tokens;

import dev.atpin.auth.ApiToken;
import dev.atpin.dashboard.Formats;
import java.time.Instant;

/** One API token as the tokens page lists it (never the token itself: it is not stored). */
public record TokenView(String id, String label, String scopes, String created, String expires, String lastUsed,
                        String state, boolean active) {

    static TokenView of(ApiToken token, Instant now) {
        boolean revoked = token.revokedAt != null;
        boolean expired = token.expiresAt != null && !token.expiresAt.isAfter(now);
        String state = revoked ? "revoked" : expired ? "expired" : "active";
        return new TokenView(token.id.toString(), token.label, String.join(", ", token.scopes),
                Formats.when(token.createdAt), token.expiresAt == null ? "never" : Formats.when(token.expiresAt),
                token.lastUsedAt == null ? "never" : Formats.when(token.lastUsedAt), state, !revoked && !expired);
    }
}
