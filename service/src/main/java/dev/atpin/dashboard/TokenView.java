package dev.atpin.dashboard;

import dev.atpin.auth.ApiToken;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;

/** One API token as the account page lists it (never the token itself: it is not stored). */
public record TokenView(String id, String label, String scopes, String created, String expires, String lastUsed,
                        String state, boolean active) {

    private static final DateTimeFormatter WHEN = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")
            .withZone(ZoneOffset.UTC);

    static TokenView of(ApiToken token, Instant now) {
        boolean revoked = token.revokedAt != null;
        boolean expired = token.expiresAt != null && !token.expiresAt.isAfter(now);
        String state = revoked ? "revoked" : expired ? "expired" : "active";
        return new TokenView(token.id.toString(), token.label, String.join(", ", token.scopes), when(token.createdAt),
                token.expiresAt == null ? "never" : when(token.expiresAt),
                token.lastUsedAt == null ? "never" : when(token.lastUsedAt), state, !revoked && !expired);
    }

    static String when(Instant instant) {
        return instant == null ? "" : WHEN.format(instant);
    }
}
