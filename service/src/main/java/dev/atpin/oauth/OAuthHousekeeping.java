package dev.atpin.oauth;

import dev.atpin.oauth.client.ClientAuth;
import dev.atpin.oauth.client.ClientSettings;
import io.quarkus.runtime.StartupEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import org.jboss.logging.Logger;

/** Checks the client configuration at start (a wrong public URL fails the start, not the first login) and
 * deletes expired login attempts and sessions. */
@Singleton
public class OAuthHousekeeping {

    private static final Logger LOG = Logger.getLogger(OAuthHousekeeping.class);

    private final LoginStore logins;
    private final OAuthSessions sessions;

    OAuthHousekeeping(LoginStore logins, OAuthSessions sessions) {
        this.logins = logins;
        this.sessions = sessions;
    }

    void onStart(@Observes StartupEvent event, ClientAuth auth) {
        ClientSettings settings = auth.settings();
        LOG.infof("atproto OAuth: %s client %s, scope \"%s\"", settings.mode().name().toLowerCase(java.util.Locale.ROOT),
                settings.clientId(), settings.scope());
    }

    @Scheduled(every = "${atpin.oauth.cleanup-interval:5m}", delayed = "30s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void deleteExpired() {
        int dropped = logins.deleteExpired();
        int ended = sessions.deleteExpired();
        if (dropped + ended > 0) {
            LOG.debugf("deleted %d expired login attempts and %d expired sessions", dropped, ended);
        }
    }
}
