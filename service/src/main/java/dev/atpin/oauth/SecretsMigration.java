package dev.atpin.oauth;

import dev.atpin.auth.SecretsAtRest;
import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.jboss.logging.Logger;

/**
 * At start, seals the secrets of rows written before they were encrypted ({@link SecretsAtRest}), in small
 * batches that any number of replicas can run side by side ({@code FOR UPDATE SKIP LOCKED}). Until a row is
 * done it stays readable: unsealed values are read as they are.
 */
@ApplicationScoped
public class SecretsMigration {

    private static final Logger LOG = Logger.getLogger(SecretsMigration.class);
    private static final int BATCH = 100;
    private static final String UNSEALED = " not like '" + "enc:v1:" + "%'";

    private final AgroalDataSource db;
    private final SecretsAtRest secrets;

    SecretsMigration(AgroalDataSource db, SecretsAtRest secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    void onStart(@Observes StartupEvent event) {
        try {
            int sessions = sealAll(this::sessionBatch);
            int logins = sealAll(this::loginBatch);
            if (sessions + logins > 0) {
                LOG.infof("sealed the secrets of %d OAuth session(s) and %d login(s) written before encryption",
                        sessions, logins);
            }
        } catch (SQLException e) {
            LOG.warn("could not seal older OAuth secrets (they stay readable; retried at the next start)", e);
        }
    }

    @FunctionalInterface
    private interface Batch {
        int run(Connection c) throws SQLException;
    }

    private int sealAll(Batch batch) throws SQLException {
        int total = 0;
        for (int done; (done = Jdbc.inTransaction(db, batch::run)) > 0; ) {
            total += done;
        }
        return total;
    }

    private int sessionBatch(Connection c) throws SQLException {
        int done = 0;
        try (PreparedStatement q = c.prepareStatement("select id, dpop_jwk, access_token, refresh_token from oauth_session"
                + " where dpop_jwk" + UNSEALED + " or access_token" + UNSEALED + " or refresh_token" + UNSEALED
                + " limit " + BATCH + " for update skip locked");
                PreparedStatement u = c.prepareStatement(
                        "update oauth_session set dpop_jwk = ?, access_token = ?, refresh_token = ? where id = ?");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                UUID id = rs.getObject(1, UUID.class);
                u.setString(1, seal(rs.getString(2), SessionStore.context("dpop_jwk", id)));
                u.setString(2, seal(rs.getString(3), SessionStore.context("access_token", id)));
                u.setString(3, seal(rs.getString(4), SessionStore.context("refresh_token", id)));
                u.setObject(4, id);
                u.executeUpdate();
                done++;
            }
        }
        return done;
    }

    private int loginBatch(Connection c) throws SQLException {
        int done = 0;
        try (PreparedStatement q = c.prepareStatement("select state, dpop_jwk, pkce_verifier from oauth_login"
                + " where dpop_jwk" + UNSEALED + " or pkce_verifier" + UNSEALED
                + " limit " + BATCH + " for update skip locked");
                PreparedStatement u = c.prepareStatement(
                        "update oauth_login set dpop_jwk = ?, pkce_verifier = ? where state = ?");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String state = rs.getString(1);
                u.setString(1, seal(rs.getString(2), LoginStore.context("dpop_jwk", state)));
                u.setString(2, seal(rs.getString(3), LoginStore.context("pkce_verifier", state)));
                u.setString(3, state);
                u.executeUpdate();
                done++;
            }
        }
        return done;
    }

    /** Seals a value unless it already is (or is null). */
    private String seal(String value, String context) {
        return value == null || SecretsAtRest.isSealed(value) ? value : secrets.seal(value, context);
    }
}
