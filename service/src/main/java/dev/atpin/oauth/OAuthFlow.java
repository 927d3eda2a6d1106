package dev.atpin.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.oauth2.sdk.AuthorizationRequest;
import com.nimbusds.oauth2.sdk.PushedAuthorizationRequest;
import com.nimbusds.oauth2.sdk.ResponseType;
import com.nimbusds.oauth2.sdk.Scope;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.State;
import com.nimbusds.oauth2.sdk.pkce.CodeChallengeMethod;
import com.nimbusds.oauth2.sdk.pkce.CodeVerifier;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.oauth.client.ClientAuth;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.oauth.dpop.DpopHttp;
import dev.atpin.oauth.dpop.DpopKeys;
import java.io.IOException;
import java.net.URI;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The atproto OAuth authorization-code flow (atproto.com/specs/oauth), from what the user typed to tokens.
 *
 * <p>{@link #start}: handle or DID → DID document → PDS → its authorization server; a new DPoP key, PKCE
 * verifier and {@code state}; a pushed authorization request (PAR) with {@code login_hint}; the login saved
 * server-side under its state; the browser is sent to the authorization endpoint with the PAR's
 * {@code request_uri}.
 *
 * <p>{@link #finish}: the state is consumed (it works once), bound to the browser that started the login and
 * not expired; {@code iss} must be the issuer we sent the user to; the code is exchanged with the same DPoP
 * key and verifier; the token's {@code sub} must be the DID we resolved at the start, and that DID, resolved
 * again, must still name a PDS whose authorization server is this issuer: otherwise any server could issue
 * tokens "for" any DID.
 */
public final class OAuthFlow {

    private static final Logger LOG = Logger.getLogger(OAuthFlow.class);
    private static final ObjectMapper JSON = new ObjectMapper();

    /** Where to send the browser, and the login it started. */
    public record Started(URI authorizeUrl, PendingLogin login) {}

    /** What the authorization server sent back to the callback. */
    public record Callback(String state, Optional<String> code, Optional<String> iss, Optional<String> error,
                           Optional<String> errorDescription) {
        @Override
        public String toString() {
            return "Callback[iss=" + iss.orElse(null) + ", error=" + error.orElse(null) + "]"; // state and code are secrets
        }
    }

    /** A finished login: the DID and verified handle, and the tokens. */
    public record Finished(PendingLogin login, Tokens tokens) {}

    private final IdentityResolver identities;
    private final AuthServerDiscovery discovery;
    private final DpopHttp http;
    private final ClientSettings client;
    private final ClientAuth clientAuth;
    private final TokenClient tokens;
    private final LoginStore logins;
    private final Duration loginTtl;
    private final Clock clock;

    public OAuthFlow(IdentityResolver identities, AuthServerDiscovery discovery, DpopHttp http, ClientSettings client,
                     ClientAuth clientAuth, TokenClient tokens, LoginStore logins, Duration loginTtl, Clock clock) {
        this.identities = identities;
        this.discovery = discovery;
        this.http = http;
        this.client = client;
        this.clientAuth = clientAuth;
        this.tokens = tokens;
        this.logins = logins;
        this.loginTtl = loginTtl;
        this.clock = clock;
    }

    /**
     * Resolves the account and pushes an authorization request for it.
     *
     * @param handleOrDid what the user typed
     * @param browserHash the hash of the login cookie that binds this login to the browser
     * @throws IdentityException if the account cannot be resolved (the message is for the user)
     * @throws OAuthException    if its authorization server cannot be used
     */
    public Started start(String handleOrDid, byte[] browserHash) {
        ResolvedIdentity identity = identities.resolve(handleOrDid);
        AuthServer server = discovery.forPds(identity.pds());
        ECKey dpopKey = DpopKeys.generate();
        CodeVerifier verifier = new CodeVerifier();
        State state = new State(32);
        Optional<String> handle = identity.handleVerified() ? Optional.of(identity.handle().value()) : Optional.empty();
        Optional<String> keyId = clientAuth.keyIdForNewSession();
        ClientID clientId = clientAuth.clientId();

        AuthorizationRequest.Builder authz = new AuthorizationRequest.Builder(ResponseType.CODE, clientId)
                .redirectionURI(client.redirectUri())
                .scope(Scope.parse(client.scope()))
                .state(state)
                .codeChallenge(verifier, CodeChallengeMethod.S256)
                .customParameter("login_hint", handle.orElse(identity.did().value()));
        Optional<ClientAuthentication> auth = clientAuth.forIssuer(server.issuer(), keyId);
        PushedAuthorizationRequest par = auth
                .map(a -> new PushedAuthorizationRequest(server.parEndpoint(), a, authz.build()))
                .orElseGet(() -> new PushedAuthorizationRequest(server.parEndpoint(), authz.build()));
        SafeHttpClient.Response response = http.postForm(server.parEndpoint(), par.toHTTPRequest().getBody(), dpopKey);
        String requestUri = requestUri(response, server);

        PendingLogin login = new PendingLogin(state.getValue(), identity.did().value(), handle, identity.pds(),
                server, client.clientId(), client.redirectUri(), keyId, dpopKey, verifier.getValue(),
                clock.instant().plus(loginTtl));
        logins.save(login, browserHash);
        URI authorizeUrl = new AuthorizationRequest.Builder(URI.create(requestUri), clientId)
                .endpointURI(server.authorizationEndpoint())
                .build().toURI();
        return new Started(authorizeUrl, login);
    }

    /**
     * Completes a login from the callback's parameters.
     *
     * @throws OAuthException with a message for the user when anything does not check out; the state is spent
     *                        either way
     */
    public Finished finish(Callback callback, byte[] browserHash) {
        LoginStore.Consumed consumed = logins.consume(callback.state()).orElseThrow(() -> new OAuthException(
                "this sign-in link is unknown or was already used; please log in again"));
        PendingLogin login = consumed.login();
        if (!MessageDigest.isEqual(consumed.browserHash(), browserHash)) {
            throw new OAuthException("this sign-in was started in another browser; please log in again here");
        }
        if (clock.instant().isAfter(login.expiresAt())) {
            throw new OAuthException("the sign-in took too long and expired; please log in again");
        }
        // RFC 9207: without this check, a code from one server could be replayed into a login at another.
        if (callback.iss().filter(login.server().issuer()::equals).isEmpty()) {
            throw new OAuthException("the answer did not come from the server you signed in at ("
                    + login.server().issuer() + "); please log in again");
        }
        if (callback.error().isPresent()) {
            String error = callback.error().get();
            throw new OAuthException(error.equals("access_denied")
                    ? "sign-in was cancelled at your PDS"
                    : "your PDS refused the sign-in (" + error + callback.errorDescription().map(d -> ": " + d)
                            .orElse("") + ")");
        }
        String code = callback.code().filter(c -> !c.isBlank())
                .orElseThrow(() -> new OAuthException("the answer from your PDS had no authorization code"));
        Tokens granted = tokens.exchange(login, code);
        try {
            checkSubject(login, granted);
        } catch (OAuthException e) {
            tokens.revoke(transientSession(login, granted)); // never keep tokens we refuse to use
            throw e;
        }
        return new Finished(login, granted);
    }

    /**
     * The token is for the account we resolved, and that account, resolved again, is still served by this
     * authorization server.
     */
    private void checkSubject(PendingLogin login, Tokens granted) {
        if (!granted.sub().equals(login.did())) {
            LOG.infof("login for %s came back with tokens for %s: refused", login.did(), granted.sub());
            throw new OAuthException("you signed in as a different account than the one you entered; "
                    + "please log in again with the account you want to use");
        }
        ResolvedIdentity again;
        try {
            again = identities.refresh(new Did(granted.sub()));
        } catch (IdentityException e) {
            throw new OAuthException("your account could not be resolved again after sign-in: " + e.getMessage(), e);
        }
        AuthServer server = discovery.forPds(again.pds());
        if (!server.issuer().equals(login.server().issuer())) {
            throw new OAuthException("your account's PDS is no longer served by " + login.server().issuer()
                    + "; please log in again");
        }
    }

    private static OAuthSession transientSession(PendingLogin login, Tokens granted) {
        return new OAuthSession(java.util.UUID.randomUUID(), login.did(), login.handle(), login.pds(),
                login.server().issuer(), login.server().tokenEndpoint(), login.server().revocationEndpoint(),
                login.clientId(), login.clientKeyId(), login.dpopKey(), granted, "", Instant.EPOCH);
    }

    private static String requestUri(SafeHttpClient.Response response, AuthServer server) {
        JsonNode body;
        try {
            body = JSON.readTree(response.body());
        } catch (IOException e) {
            body = null;
        }
        if (!response.ok() || body == null || !body.path("request_uri").isTextual()) {
            String error = body == null ? "" : body.path("error").asText("");
            String description = body == null ? "" : body.path("error_description").asText("");
            LOG.infof("PAR at %s answered %d %s %s", server.issuer(), response.status(), error, description);
            throw new OAuthException("your PDS's authorization server refused the sign-in request ("
                    + response.status() + (error.isEmpty() ? "" : ", " + error)
                    + (description.isEmpty() ? "" : ": " + description) + ")");
        }
        return body.path("request_uri").asText();
    }
}
