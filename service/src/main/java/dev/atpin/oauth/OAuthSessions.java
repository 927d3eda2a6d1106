package dev.atpin.oauth;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.SecureRandom;
import java.time.Clock;
import java.time.Duration;
import java.util.Base64;
import java.util.Optional;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * Sessions after login: created from a finished login, found by cookie, kept fresh (refresh serialized per
 * session across replicas by the row lock in {@link SessionStore#updateLocked}), ended by logout (tokens
 * revoked at the authorization server, row deleted).
 */
public final class OAuthSessions {

    private static final Logger LOG = Logger.getLogger(OAuthSessions.class);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** A new session and the cookie value that opens it (shown to the browser once, stored only hashed). */
    public record Created(OAuthSession session, String cookie) {
        @Override
        public String toString() {
            return "Created[" + session + "]"; // the cookie opens the session
        }
    }

    private final SessionStore store;
    private final TokenClient tokens;
    private final Duration ttl;
    private final Duration refreshMargin;
    private final Duration lockTimeout;
    private final Clock clock;

    public OAuthSessions(SessionStore store, TokenClient tokens, Duration ttl, Duration refreshMargin,
                         Duration lockTimeout, Clock clock) {
        this.store = store;
        this.tokens = tokens;
        this.ttl = ttl;
        this.refreshMargin = refreshMargin;
        this.lockTimeout = lockTimeout;
        this.clock = clock;
    }

    /** Stores a session for a finished login. */
    public Created create(OAuthFlow.Finished finished) {
        PendingLogin login = finished.login();
        String cookie = randomToken();
        OAuthSession session = new OAuthSession(UUID.randomUUID(), login.did(), login.handle(), login.pds(),
                login.server().issuer(), login.server().tokenEndpoint(), login.server().revocationEndpoint(),
                login.clientId(), login.clientKeyId(), login.dpopKey(), finished.tokens(), randomToken(),
                clock.instant().plus(ttl));
        store.create(session, hash(cookie));
        return new Created(session, cookie);
    }

    /** The live session this cookie opens, if any. */
    public Optional<OAuthSession> byCookie(String cookie) {
        if (cookie == null || cookie.isBlank() || cookie.length() > 128) {
            return Optional.empty();
        }
        return store.findByCookie(hash(cookie));
    }

    public Optional<OAuthSession> byId(UUID id) {
        return store.find(id);
    }

    /** The DID's most recent live session (for writes into its repo made on its behalf). */
    public Optional<OAuthSession> latestForDid(String did) {
        return store.latestForDid(did);
    }

    /**
     * The session with an access token that is good for at least {@code refresh-margin}, refreshing it first
     * when needed.
     *
     * @throws SessionExpiredException if the session is gone or cannot be refreshed (it is then deleted)
     */
    public OAuthSession fresh(OAuthSession session) {
        if (!session.accessTokenExpiresBefore(clock.instant().plus(refreshMargin))) {
            return session;
        }
        return refresh(session, false);
    }

    /**
     * Refreshes the tokens under the session's row lock. Another replica may have refreshed while we waited for
     * the lock: then its tokens are used and ours (single-use) are not spent again.
     *
     * @param force refresh even if the stored access token looks valid (the resource server refused it)
     */
    public OAuthSession refresh(OAuthSession session, boolean force) {
        String seen = session.tokens().accessToken();
        try {
            return store.updateLocked(session.id(), lockTimeout, current -> {
                boolean someoneElseRefreshed = !current.tokens().accessToken().equals(seen);
                if (someoneElseRefreshed
                        || (!force && !current.accessTokenExpiresBefore(clock.instant().plus(refreshMargin)))) {
                    return current;
                }
                return current.withTokens(tokens.refresh(current));
            }).orElseThrow(() -> new SessionExpiredException("the session has ended"));
        } catch (SessionExpiredException e) {
            LOG.infof("session of %s cannot be refreshed (%s): ending it", session.did(), e.getMessage());
            store.delete(session.id());
            throw e;
        }
    }

    /** Logout: revokes the tokens at the authorization server (best effort) and deletes the session. */
    public void logout(OAuthSession session) {
        store.delete(session.id()).ifPresent(tokens::revoke);
    }

    /** Deletes sessions past their end (their tokens expire at the authorization server on their own). */
    public int deleteExpired() {
        return store.deleteExpired();
    }

    /** 32 random bytes, base64url: cookie values, CSRF tokens. */
    public static String randomToken() {
        byte[] bytes = new byte[32];
        RANDOM.nextBytes(bytes);
        return Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
    }

    /** What is stored of a cookie: its SHA-256. */
    public static byte[] hash(String secret) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(secret.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
