package dev.atpin.xrpc;

import dev.atpin.abuse.AnonymousLimits;
import dev.atpin.identity.Did;
import dev.atpin.identity.DidDocument;
import dev.atpin.identity.DidResolver;
import dev.atpin.identity.IdentityException;
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
import java.util.Optional;
import org.jboss.logging.Logger;

/** Service-auth verification wired to our DID resolution and to a replay cache in Postgres. */
@ApplicationScoped
public class ServiceAuth {

    private static final Logger LOG = Logger.getLogger(ServiceAuth.class);

    private final AgroalDataSource db;
    private final ServiceAuthVerifier verifier;
    private final AnonymousLimits limits;

    ServiceAuth(ServiceConfig config, IdentityResolver identity, AgroalDataSource db, AnonymousLimits limits) {
        this.db = db;
        this.limits = limits;
        this.verifier = new ServiceAuthVerifier(config.did(), config.serviceAuthMaxLifetime(),
                budgeted(identity.dids(), limits), this::firstUse, Clock.systemUTC());
    }

    /**
     * The issuer's key from its DID document alone (the handle in it is not verified: that would cost more
     * lookups and says nothing about the signature). Each fetch the cache cannot spare is counted against the
     * caller's address and the total ({@link AnonymousLimits}): anyone can send a token naming any DID.
     */
    private static ServiceAuthVerifier.Keys budgeted(DidResolver dids, AnonymousLimits limits) {
        return (did, refresh) -> {
            Did parsed;
            try {
                parsed = new Did(did);
            } catch (IllegalArgumentException | IdentityException e) {
                return Optional.empty();
            }
            if ((refresh || !dids.answersWithoutFetch(parsed)) && !limits.admitDidFetch()) {
                throw new ServiceAuthVerifier.TooManyLookups("too many tokens from unknown issuers lately; "
                        + "retry in " + limits.retryAfter().toSeconds() + " s");
            }
            try {
                DidDocument doc = refresh ? dids.refresh(parsed) : dids.resolve(parsed);
                return doc.signingKey();
            } catch (IdentityException | IllegalArgumentException e) {
                return Optional.empty();
            }
        };
    }

    /** How long a client refused for too many lookups should wait. */
    public java.time.Duration retryAfter() {
        return limits.retryAfter();
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
