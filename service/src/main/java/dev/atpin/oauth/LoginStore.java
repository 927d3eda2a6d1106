package dev.atpin.oauth;

import dev.atpin.auth.SecretsAtRest;
import dev.atpin.db.Jdbc;
import dev.atpin.oauth.dpop.DpopKeys;
import java.net.URI;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Timestamp;
import java.util.Optional;
import javax.sql.DataSource;

/**
 * Logins in progress ({@code oauth_login}): saved at {@code /login}, consumed once by the callback. The DPoP
 * key and the PKCE verifier are stored sealed ({@link SecretsAtRest}), bound to their column and state.
 */
public final class LoginStore {

    /** A login taken out of the store, with the hash of the browser cookie it was bound to. */
    public record Consumed(PendingLogin login, byte[] browserHash) {
        @Override
        public String toString() {
            return "Consumed[" + login + "]";
        }
    }

    private final DataSource db;
    private final SecretsAtRest secrets;

    public LoginStore(DataSource db, SecretsAtRest secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /** What a sealed column value is bound to: its column and its row. */
    static String context(String column, String state) {
        return "oauth_login." + column + ":" + state;
    }

    public void save(PendingLogin login, byte[] browserHash) {
        run(c -> {
            try (PreparedStatement s = c.prepareStatement("""
                    insert into oauth_login (state, browser_hash, did, handle, pds_url, issuer, token_endpoint,
                        revocation_endpoint, client_id, redirect_uri, client_key_id, dpop_jwk, pkce_verifier, expires_at)
                    values (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)""")) {
                s.setString(1, login.state());
                s.setBytes(2, browserHash);
                s.setString(3, login.did());
                s.setString(4, login.handle().orElse(null));
                s.setString(5, login.pds().toString());
                s.setString(6, login.server().issuer());
                s.setString(7, login.server().tokenEndpoint().toString());
                s.setString(8, login.server().revocationEndpoint().map(URI::toString).orElse(null));
                s.setString(9, login.clientId());
                s.setString(10, login.redirectUri().toString());
                s.setString(11, login.clientKeyId().orElse(null));
                s.setString(12, secrets.seal(DpopKeys.serialize(login.dpopKey()), context("dpop_jwk", login.state())));
                s.setString(13, secrets.seal(login.pkceVerifier(), context("pkce_verifier", login.state())));
                s.setTimestamp(14, Timestamp.from(login.expiresAt()));
                s.executeUpdate();
            }
            return null;
        });
    }

    /**
     * Takes the login with this state out of the store: whatever happens next, a state works once. Expired
     * logins are returned too (the caller says so to the user); they are deleted all the same.
     */
    public Optional<Consumed> consume(String state) {
        return run(c -> {
            try (PreparedStatement s = c.prepareStatement("delete from oauth_login where state = ? returning *")) {
                s.setString(1, state);
                try (ResultSet r = s.executeQuery()) {
                    return r.next() ? Optional.of(new Consumed(read(r), r.getBytes("browser_hash"))) : Optional.empty();
                }
            }
        });
    }

    /** Deletes logins nobody finished; returns how many. */
    public int deleteExpired() {
        return run(c -> {
            try (PreparedStatement s = c.prepareStatement("delete from oauth_login where expires_at < now()")) {
                return s.executeUpdate();
            }
        });
    }

    private PendingLogin read(ResultSet r) throws SQLException {
        String state = r.getString("state");
        // the callback needs the issuer and the token and revocation endpoints; PAR and authorize are behind us
        AuthServer server = new AuthServer(r.getString("issuer"), null, null,
                URI.create(r.getString("token_endpoint")),
                Optional.ofNullable(r.getString("revocation_endpoint")).map(URI::create));
        return new PendingLogin(r.getString("state"), r.getString("did"), Optional.ofNullable(r.getString("handle")),
                URI.create(r.getString("pds_url")), server, r.getString("client_id"),
                URI.create(r.getString("redirect_uri")), Optional.ofNullable(r.getString("client_key_id")),
                DpopKeys.parse(secrets.open(r.getString("dpop_jwk"), context("dpop_jwk", state))),
                secrets.open(r.getString("pkce_verifier"), context("pkce_verifier", state)),
                r.getTimestamp("expires_at").toInstant());
    }

    private <T> T run(Jdbc.Work<T> work) {
        try {
            return Jdbc.inTransaction(db, work);
        } catch (SQLException e) {
            throw new IllegalStateException("oauth_login: " + e.getMessage(), e);
        }
    }
}
