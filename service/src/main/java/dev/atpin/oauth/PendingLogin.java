package dev.atpin.oauth;

import com.nimbusds.jose.jwk.ECKey;
import java.net.URI;
import java.time.Instant;
import java.util.Optional;

/**
 * A login between {@code POST /login} and the callback: everything the callback needs, keyed by the
 * {@code state} we sent with the PAR.
 *
 * @param state       the OAuth {@code state}: random, used once
 * @param did         the DID resolved from what the user typed; the token's {@code sub} must be this DID
 * @param handle      the handle they typed, when it verified both ways
 * @param pds         their PDS
 * @param server      the authorization server we sent them to
 * @param clientId    the {@code client_id} the PAR was made with (the token request must use the same)
 * @param redirectUri the {@code redirect_uri} of the PAR
 * @param clientKeyId the key that authenticated the PAR (confidential client only)
 * @param dpopKey     the DPoP key of this login and of the session it becomes (secret)
 * @param pkceVerifier the PKCE code verifier (secret)
 * @param expiresAt   when the login attempt is dropped
 */
public record PendingLogin(String state, String did, Optional<String> handle, URI pds, AuthServer server,
                           String clientId, URI redirectUri, Optional<String> clientKeyId, ECKey dpopKey,
                           String pkceVerifier, Instant expiresAt) {

    @Override
    public String toString() {
        // the key and the verifier are secrets
        return "PendingLogin[did=" + did + ", issuer=" + server.issuer() + ", expiresAt=" + expiresAt + "]";
    }
}
