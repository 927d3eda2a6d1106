package dev.atpin.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.oauth2.sdk.AuthorizationCode;
import com.nimbusds.oauth2.sdk.AuthorizationCodeGrant;
import com.nimbusds.oauth2.sdk.AuthorizationGrant;
import com.nimbusds.oauth2.sdk.RefreshTokenGrant;
import com.nimbusds.oauth2.sdk.TokenRequest;
import com.nimbusds.oauth2.sdk.TokenRevocationRequest;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import com.nimbusds.oauth2.sdk.token.RefreshToken;
import com.nimbusds.oauth2.sdk.token.Token;
import com.nimbusds.oauth2.sdk.token.TypelessAccessToken;
import dev.atpin.identity.Did;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.oauth.client.ClientAuth;
import dev.atpin.oauth.dpop.DpopHttp;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The token endpoint (code exchange, refresh) and the revocation endpoint of an authorization server. Requests
 * are built with Nimbus and sent by {@link DpopHttp}; responses are checked against the atproto profile:
 * {@code token_type} DPoP, a {@code sub} that is a DID, a {@code scope} that contains {@code atproto}.
 */
public final class TokenClient {

    private static final Logger LOG = Logger.getLogger(TokenClient.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final DpopHttp http;
    private final ClientAuth clientAuth;
    private final Clock clock;

    public TokenClient(DpopHttp http, ClientAuth clientAuth, Clock clock) {
        this.http = http;
        this.clientAuth = clientAuth;
        this.clock = clock;
    }

    /** Trades an authorization code for tokens. */
    public Tokens exchange(PendingLogin login, String code) {
        AuthorizationGrant grant = new AuthorizationCodeGrant(new AuthorizationCode(code), login.redirectUri(),
                new CodeVerifier(login.pkceVerifier()));
        return tokens(login.server().tokenEndpoint(), login.server().issuer(), login.clientId(), login.clientKeyId(),
                grant, login.dpopKey(), "completing the sign-in");
    }

    /** Spends the session's refresh token for new tokens. Call only while holding the session's row lock. */
    public Tokens refresh(OAuthSession session) {
        String refreshToken = session.tokens().refreshToken()
                .orElseThrow(() -> new SessionExpiredException("the session has no refresh token"));
        Tokens fresh = tokens(session.tokenEndpoint(), session.issuer(), session.clientId(), session.clientKeyId(),
                new RefreshTokenGrant(new RefreshToken(refreshToken)), session.dpopKey(), "refreshing your session");
        if (!fresh.sub().equals(session.did())) {
            throw new OAuthException("the authorization server refreshed the session for a different account");
        }
        if (fresh.refreshToken().isEmpty()) {
            // atproto servers rotate refresh tokens; one that does not has left the current one valid
            return new Tokens(fresh.accessToken(), Optional.of(refreshToken), fresh.scope(), fresh.sub(),
                    fresh.accessExpiresAt());
        }
        return fresh;
    }

    /**
     * Revokes the session's tokens, refresh token first (revoking it ends the whole grant at most servers).
     * Best effort: the session is deleted on our side whatever the server answers.
     */
    public void revoke(OAuthSession session) {
        if (session.revocationEndpoint().isEmpty()) {
            return;
        }
        URI endpoint = session.revocationEndpoint().get();
        session.tokens().refreshToken().ifPresent(t -> revokeOne(session, endpoint, new RefreshToken(t)));
        revokeOne(session, endpoint, new TypelessAccessToken(session.tokens().accessToken()));
    }

    private void revokeOne(OAuthSession session, URI endpoint, Token token) {
        try {
            Optional<ClientAuthentication> auth = clientAuth.forIssuer(session.issuer(), session.clientKeyId());
            TokenRevocationRequest request = auth
                    .map(a -> new TokenRevocationRequest(endpoint, a, token))
                    .orElseGet(() -> new TokenRevocationRequest(endpoint, new ClientID(session.clientId()), token));
            SafeHttpClient.Response response = http.postForm(endpoint, request.toHTTPRequest().getBody(),
                    session.dpopKey());
            if (!response.ok()) {
                LOG.infof("revocation at %s for %s answered %d", session.issuer(), session.did(), response.status());
            }
        } catch (RuntimeException e) {
            LOG.infof("revocation at %s for %s failed: %s", session.issuer(), session.did(), e.getMessage());
        }
    }

    private Tokens tokens(URI endpoint, String issuer, String clientId, Optional<String> keyId,
                          AuthorizationGrant grant, ECKey dpopKey, String doing) {
        Optional<ClientAuthentication> auth = clientAuth.forIssuer(issuer, keyId);
        TokenRequest request = auth.map(a -> new TokenRequest(endpoint, a, grant))
                .orElseGet(() -> new TokenRequest(endpoint, new ClientID(clientId), grant));
        Instant sent = clock.instant();
        SafeHttpClient.Response response = http.postForm(endpoint, request.toHTTPRequest().getBody(), dpopKey);
        JsonNode body = json(response);
        if (!response.ok()) {
            String error = body.path("error").asText("");
            if (error.equals("invalid_grant")) {
                throw new SessionExpiredException("the authorization server no longer accepts this grant ("
                        + doing + ")");
            }
            throw new OAuthException("the authorization server refused " + doing + " (" + response.status()
                    + (error.isEmpty() ? "" : ", " + error) + ")");
        }
        return parse(body, sent);
    }

    /** Checks a successful token response against the atproto profile. */
    static Tokens parse(JsonNode body, Instant sent) {
        String accessToken = body.path("access_token").asText("");
        if (accessToken.isEmpty()) {
            throw new OAuthException("the authorization server sent no access token");
        }
        if (!"dpop".equalsIgnoreCase(body.path("token_type").asText(""))) {
            throw new OAuthException("the authorization server sent a token that is not DPoP-bound");
        }
        String sub = body.path("sub").asText("");
        if (!Did.isValid(sub)) {
            throw new OAuthException("the authorization server did not say which account signed in (sub)");
        }
        String scope = body.path("scope").asText("");
        Tokens tokens = new Tokens(accessToken, Optional.ofNullable(body.path("refresh_token").asText(null)),
                scope, sub, body.path("expires_in").canConvertToLong() && body.path("expires_in").asLong() > 0
                        ? Optional.of(sent.plusSeconds(body.path("expires_in").asLong())) : Optional.empty());
        if (!tokens.hasScope("atproto")) {
            throw new OAuthException("the authorization server did not grant the atproto scope");
        }
        return tokens;
    }

    private static JsonNode json(SafeHttpClient.Response response) {
        try {
            JsonNode node = JSON.readTree(response.body());
            return node == null ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            if (response.ok()) {
                throw new OAuthException("the authorization server answered with something that is not JSON");
            }
            return JSON.createObjectNode();
        }
    }
}
