package dev.atpin.oauth;

import com.nimbusds.jose.jwk.ECKey;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/**
 * A logged-in user: the dashboard session and the OAuth session behind it, one row of {@code oauth_session}.
 *
 * @param id          the session id (not a secret: the cookie is)
 * @param did         whose session it is
 * @param handle      their handle at login, if it verified
 * @param pds         their PDS (the resource server for XRPC calls)
 * @param issuer      the authorization server that issued the tokens
 * @param tokenEndpoint     for refreshes
 * @param revocationEndpoint for logout, if the server has one
 * @param clientId    the {@code client_id} the session was created with
 * @param clientKeyId the key that authenticated it (confidential client only)
 * @param dpopKey     the session's DPoP key (secret)
 * @param tokens      its current tokens (secret)
 * @param csrfToken   the token every state-changing form of this session must carry
 * @param expiresAt   when the dashboard session ends
 */
public record OAuthSession(UUID id, String did, Optional<String> handle, URI pds, String issuer, URI tokenEndpoint,
                           Optional<URI> revocationEndpoint, String clientId, Optional<String> clientKeyId,
                           ECKey dpopKey, Tokens tokens, String csrfToken, Instant expiresAt) {

    OAuthSession withTokens(Tokens fresh) {
        return new OAuthSession(id, did, handle, pds, issuer, tokenEndpoint, revocationEndpoint, clientId,
                clientKeyId, dpopKey, fresh, csrfToken, expiresAt);
    }

    /** Whether the access token expires at or before {@code when} (an unknown expiry counts as never). */
    public boolean accessTokenExpiresBefore(Instant when) {
        return tokens.accessExpiresAt().filter(e -> !e.isAfter(when)).isPresent();
    }

    @Override
    public String toString() {
        return "OAuthSession[id=" + id + ", did=" + did + ", issuer=" + issuer + "]";
    }
}
