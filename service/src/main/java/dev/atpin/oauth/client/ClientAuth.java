package dev.atpin.oauth.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.JWTAuthenticationClaimsSet;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import com.nimbusds.oauth2.sdk.id.Audience;
import com.nimbusds.oauth2.sdk.id.ClientID;
import com.nimbusds.oauth2.sdk.id.JWTID;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;
import java.util.Optional;

/**
 * How we authenticate at an authorization server's PAR, token and revocation endpoints: the loopback client
 * is public (its {@code client_id} goes in the form, nothing else), the confidential client sends a fresh
 * {@code private_key_jwt} assertion each time (atproto.com/specs/oauth, "Confidential Client Authentication").
 */
public final class ClientAuth {

    /** atproto asks for short-lived assertions; each is used once, right after it is made. */
    static final Duration ASSERTION_LIFETIME = Duration.ofSeconds(60);

    private final ClientSettings settings;
    private final Optional<ClientKeys> keys;
    private final Clock clock;

    public ClientAuth(ClientSettings settings, Optional<ClientKeys> keys) {
        this(settings, keys, Clock.systemUTC());
    }

    ClientAuth(ClientSettings settings, Optional<ClientKeys> keys, Clock clock) {
        if (settings.confidential() && keys.isEmpty()) {
            throw new IllegalArgumentException("the confidential client needs its keys");
        }
        this.settings = settings;
        this.keys = keys;
        this.clock = clock;
    }

    /** The confidential client's keys (empty for the loopback client). */
    public Optional<ClientKeys> keys() {
        return keys.filter(k -> settings.confidential());
    }

    public ClientSettings settings() {
        return settings;
    }

    public ClientID clientId() {
        return new ClientID(settings.clientId());
    }

    /** The id of the key a new session will be authenticated with, or empty for the public client. */
    public Optional<String> keyIdForNewSession() {
        return keys.filter(k -> settings.confidential()).map(k -> k.signingKey().getKeyID());
    }

    /**
     * The authentication for one request to {@code issuer}, or empty for the public client.
     *
     * @param keyId the key the session was created with; if it has been removed since, the current signing key
     *              is used (the authorization server may then refuse, and the user logs in again)
     */
    public Optional<ClientAuthentication> forIssuer(String issuer, Optional<String> keyId) {
        if (!settings.confidential()) {
            return Optional.empty();
        }
        ClientKeys k = keys.orElseThrow();
        ECKey key = keyId.flatMap(k::byId).orElse(k.signingKey());
        return Optional.of(assertion(issuer, key));
    }

    /** A {@code private_key_jwt}: {@code iss} = {@code sub} = client_id, {@code aud} = the issuer, short {@code exp}. */
    PrivateKeyJWT assertion(String issuer, ECKey key) {
        Instant now = clock.instant();
        JWTAuthenticationClaimsSet claims = new JWTAuthenticationClaimsSet(clientId(), List.of(new Audience(issuer)),
                Date.from(now.plus(ASSERTION_LIFETIME)), null, Date.from(now), new JWTID());
        try {
            return new PrivateKeyJWT(claims, JWSAlgorithm.ES256, key.toECPrivateKey(), key.getKeyID(), null);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign the client assertion with key " + key.getKeyID(), e);
        }
    }
}
