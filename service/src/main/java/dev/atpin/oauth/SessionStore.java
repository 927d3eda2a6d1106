package dev.atpin.oauth;

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

/** Sessions ({@code oauth_session}): one row per login, found by the hash of its cookie. */
public final class SessionStore {

    private static final String LIVE = " and expires_at > now()";

    private final DataSource db;

    public SessionStore(DataSource db) {
        this.db = db;
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
                s.setString(12, DpopKeys.serialize(session.dpopKey()));
                setTokens(s, 13, session.tokens());
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
                    setTokens(s, 1, updated.tokens());
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

    private static void setTokens(PreparedStatement s, int first, Tokens tokens) throws SQLException {
        s.setString(first, tokens.accessToken());
        s.setString(first + 1, tokens.refreshToken().orElse(null));
        s.setString(first + 2, tokens.scope());
        s.setTimestamp(first + 3, tokens.accessExpiresAt().map(Timestamp::from).orElse(null));
    }

    @FunctionalInterface
    private interface Binder {
        void bind(PreparedStatement s) throws SQLException;
    }

    private static Optional<OAuthSession> one(Connection c, String sql, Binder binder) throws SQLException {
        try (PreparedStatement s = c.prepareStatement(sql)) {
            binder.bind(s);
            try (ResultSet r = s.executeQuery()) {
                return r.next() ? Optional.of(read(r)) : Optional.empty();
            }
        }
    }

    private static OAuthSession read(ResultSet r) throws SQLException {
        String did = r.getString("did");
        Tokens tokens = new Tokens(r.getString("access_token"), Optional.ofNullable(r.getString("refresh_token")),
                r.getString("scope"), did,
                Optional.ofNullable(r.getTimestamp("access_expires_at")).map(Timestamp::toInstant));
        return new OAuthSession(r.getObject("id", UUID.class), did, Optional.ofNullable(r.getString("handle")),
                URI.create(r.getString("pds_url")), r.getString("issuer"), URI.create(r.getString("token_endpoint")),
                Optional.ofNullable(r.getString("revocation_endpoint")).map(URI::create), r.getString("client_id"),
                Optional.ofNullable(r.getString("client_key_id")), DpopKeys.parse(r.getString("dpop_jwk")), tokens,
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
