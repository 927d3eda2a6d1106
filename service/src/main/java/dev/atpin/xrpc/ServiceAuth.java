package dev.atpin.xrpc;

import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityResolver;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import org.jboss.logging.Logger;

/** Service-auth verification wired to our DID resolution and to a replay cache in Postgres. */
@ApplicationScoped
public class ServiceAuth {

    private static final Logger LOG = Logger.getLogger(ServiceAuth.class);

    private final AgroalDataSource db;
    private final ServiceAuthVerifier verifier;

    ServiceAuth(ServiceConfig config, IdentityResolver identity, AgroalDataSource db) {
        this.db = db;
        this.verifier = new ServiceAuthVerifier(config.did(), config.serviceAuthMaxLifetime(),
                ServiceAuthVerifier.keys(did -> identity.resolve(new Did(did)).signingKey(),
                        did -> identity.refresh(new Did(did)).signingKey()),
                this::firstUse, Clock.systemUTC());
    }

    public ServiceAuthVerifier.Verified verify(String token, String lxm) throws ServiceAuthVerifier.Refused {
        return verifier.verify(token, lxm);
    }

    private boolean firstUse(ServiceAuthVerifier.Jti jti) {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "insert into service_auth_jti (iss, jti, expires_at) values (?, ?, ?) on conflict do nothing")) {
            q.setString(1, jti.iss());
            q.setString(2, jti.jti());
            q.setObject(3, Instant.ofEpochSecond(jti.expiresEpochSecond()).atOffset(ZoneOffset.UTC));
            return q.executeUpdate() == 1;
        } catch (SQLException e) {
            LOG.warn("replay cache unavailable: refusing the token", e);
            return false;
        }
    }

    @Scheduled(every = "1m", delayed = "30s")
    void forgetExpired() {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("delete from service_auth_jti where expires_at < now()")) {
            q.executeUpdate();
        } catch (SQLException e) {
            LOG.warn("could not clean the replay cache", e);
        }
    }
}
