package dev.atpin.oauth;

import java.time.Instant;
import java.util.Arrays;
import java.util.Optional;

/**
 * The tokens of an OAuth session, as the token endpoint gave them.
 *
 * @param accessToken     DPoP-bound access token (secret)
 * @param refreshToken    single-use refresh token, if the server issued one (secret)
 * @param scope           the scopes granted, space separated; always includes {@code atproto}
 * @param sub             the DID the tokens are for
 * @param accessExpiresAt when the access token expires, if the server said
 */
public record Tokens(String accessToken, Optional<String> refreshToken, String scope, String sub,
                     Optional<Instant> accessExpiresAt) {

    public boolean hasScope(String wanted) {
        return Arrays.asList(scope.split(" ")).contains(wanted);
    }

    @Override
    public String toString() {
        return "Tokens[sub=" + sub + ", scope=" + scope + ", accessExpiresAt=" + accessExpiresAt.orElse(null) + "]";
    }
}
