package dev.atpin.oauth;

import dev.atpin.auth.SecretsAtRest;
import dev.atpin.db.Jdbc;
import dev.atpin.oauth.dpop.DpopKeys;
import java.net.URI;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.function.UnaryOperator;
import javax.sql.DataSource;

/**
 * Sessions ({@code oauth_session}): one row per login, found by the hash of its cookie. The DPoP key and the
 * tokens are stored sealed ({@link SecretsAtRest}), each bound to its column and session id.
 */
public final class SessionStore {

    private static final String LIVE = " and expires_at > now()";

    private final DataSource db;
    private final SecretsAtRest secrets;

    public SessionStore(DataSource db, SecretsAtRest secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    public void create(OAuthSession session, byte[] cookieHash) {
        run(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    insert into oauth_session (id, cookie_hash, csrf_token, did, handle, pds_url, issuer, token_endpoint,
                        revocation_endpoint, client_id, client_key_id, dpop_jwk, access_token, refresh_token, scope,
                        access_expires_at, expires_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                s.setObject(1, session.id());
                s.setBytes(2, cookieHash);
                s.setString(3, session.csrfToken());
                s.setString(4, session.did());
                s.setString(5, session.handle().orElse(null));
                s.setString(6, session.pds().toString());
                s.setString(7, session.issuer());
                s.setString(8, session.tokenEndpoint().toString());
                s.setString(9, session.revocationEndpoint().map(URI::toString).orElse(null));
                s.setString(10, session.clientId());
                s.setString(11, session.clientKeyId().orElse(null));
                s.setString(12, secrets.seal(DpopKeys.serialize(session.dpopKey()), context("dpop_jwk", session.id())));
                setTokens(s, 13, session.id(), session.tokens());
                s.setTimestamp(17, Timestamp.from(session.expiresAt()));
                s.executeUpdate();
            }
            return null;
        });
    }

    /** The live session whose cookie hashes to {@code cookieHash}. */
    public Optional<OAuthSession> findByCookie(byte[] cookieHash) {
        return run(c -> one(c, "select * from oauth_session where cookie_hash = ?" + LIVE, s -> s.setBytes(1, cookieHash)));
    }

    public Optional<OAuthSession> find(UUID id) {
        return run(c -> one(c, "select * from oauth_session where id = ?" + LIVE, s -> s.setObject(1, id)));
    }

    /** The DID's most recent live session, e.g. for background writes into its repo. */
    public Optional<OAuthSession> latestForDid(String did) {
        return run(c -> one(c, "select * from oauth_session where did = ?" + LIVE + " order by created_at desc limit 1",
                s -> s.setString(1, did)));
    }

    /** Deletes the session and returns what it was (its tokens are then revoked by the caller). */
    public Optional<OAuthSession> delete(UUID id) {
        return run(c -> one(c, "delete from oauth_session where id = ? returning *", s -> s.setObject(1, id)));
    }

    /**
     * Runs {@code update} on the session while holding its row lock ({@code FOR UPDATE}) and stores the tokens
     * it returns. Every replica refreshing a session goes through here, so a single-use refresh token is spent
     * by one of them only; the others wait, then see the new tokens.
     *
     * @param lockTimeout how long to wait for another holder of the lock
     * @return the session after the update, or empty when it is gone
     */
    public Optional<OAuthSession> updateLocked(UUID id, Duration lockTimeout, UnaryOperator<OAuthSession> update) {
        return run(c -> {
            try (var s = c.createStatement()) {
                s.execute("set local lock_timeout = " + Math.max(1, lockTimeout.toMillis()));
            }
            Optional<OAuthSession> current = one(c, "select * from oauth_session where id = ?" + LIVE + " for update",
                    s -> s.setObject(1, id));
            if (current.isEmpty()) {
                return Optional.empty();
            }
            OAuthSession updated = update.apply(current.get());
            if (updated.tokens() != current.get().tokens()) {
                try (PreparedStatement s = c.prepareStatement("""
                        update oauth_session set access_token = ?, refresh_token = ?, scope = ?, access_expires_at = ?,
                            refreshed_at = now()
                        where id = ?""")) {
                    setTokens(s, 1, id, updated.tokens());
                    s.setObject(5, id);
                    s.executeUpdate();
                }
            }
            return Optional.of(updated);
        });
    }

    /** Deletes sessions past their end; returns how many. */
    public int deleteExpired() {
        return run(c -> {
            try (PreparedStatement s = c.prepareStatement("delete from oauth_session where expires_at < now()")) {
                return s.executeUpdate();
            }
        });
    }

    private void setTokens(PreparedStatement s, int first, UUID id, Tokens tokens) throws SQLException {
        s.setString(first, secrets.seal(tokens.accessToken(), context("access_token", id)));
        s.setString(first + 1, secrets.seal(tokens.refreshToken().orElse(null), context("refresh_token", id)));
        s.setString(first + 2, tokens.scope());
        s.setTimestamp(first + 3, tokens.accessExpiresAt().map(Timestamp::from).orElse(null));
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    /** What a sealed column value is bound to: its column and its row. */
    static String context(String column, UUID id) {
        return "oauth_session." + column + ":" + id;
    }

    private Optional<OAuthSession> one(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    private OAuthSession read(ResultSet r) throws SQLException {
        String did = r.getString("did");
        UUID id = r.getObject("id", UUID.class);
        Tokens tokens = new Tokens(secrets.open(r.getString("access_token"), context("access_token", id)),
                Optional.ofNullable(secrets.open(r.getString("refresh_token"), context("refresh_token", id))),
                r.getString("scope"), did,
                Optional.ofNullable(r.getTimestamp("access_expires_at")).map(Timestamp::toInstant));
        return new OAuthSession(id, did, Optional.ofNullable(r.getString("handle")),
                URI.create(r.getString("pds_url")), r.getString("issuer"), URI.create(r.getString("token_endpoint")),
                Optional.ofNullable(r.getString("revocation_endpoint")).map(URI::create), r.getString("client_id"),
                Optional.ofNullable(r.getString("client_key_id")), DpopKeys.parse(secrets.open(r.getString("dpop_jwk"), context("dpop_jwk", id))), tokens,
                r.getString("csrf_token"), r.getTimestamp("expires_at").toInstant());
    }

    private <T> T run(Jdbc.Work<T> work) {
        try {
            return Jdbc.inTransaction(db, work);
        } catch (SQLException e) {
            if ("55P03".equals(e.getSQLState())) { // lock_not_available
                throw new OAuthException("your session is busy being refreshed; try again in a moment", e);
            }
            throw new IllegalStateException("oauth_session: " + e.getMessage(), e);
        }
    }
}
