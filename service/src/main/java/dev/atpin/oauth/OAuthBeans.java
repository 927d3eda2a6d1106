package dev.atpin.oauth;

import dev.atpin.auth.SecretsAtRest;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.oauth.client.ClientAuth;
import dev.atpin.oauth.client.ClientKeys;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.oauth.dpop.DpopHttp;
import dev.atpin.oauth.dpop.DpopNonces;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/**
 * Builds the OAuth client from {@link OAuthConfig}. The classes are plain, with constructor injection, so tests
 * can build them without Quarkus.
 */
public class OAuthBeans {

    @Produces
    @Singleton
    ClientSettings clientSettings(OAuthConfig config) {
        return ClientSettings.from(config);
    }

    @Produces
    @Singleton
    ClientAuth clientAuth(ClientSettings settings, OAuthConfig config) {
        // the loopback client has no keys: nothing is generated for local runs
        Optional<ClientKeys> keys = settings.confidential()
                ? Optional.of(ClientKeys.loadOrGenerate(Path.of(config.keyDir())))
                : Optional.empty();
        return new ClientAuth(settings, keys);
    }

    @Produces
    @Singleton
    DpopHttp dpopHttp(SafeHttpClient http, MeterRegistry metrics) {
        return new DpopHttp(http, new DpopNonces(), metrics);
    }

    @Produces
    @Singleton
    AuthServerDiscovery discovery(SafeHttpClient http) {
        return new AuthServerDiscovery(http);
    }

    @Produces
    @Singleton
    TokenClient tokenClient(DpopHttp http, ClientAuth auth) {
        return new TokenClient(http, auth, Clock.systemUTC());
    }

    @Produces
    @Singleton
    LoginStore loginStore(AgroalDataSource db, SecretsAtRest secrets) {
        return new LoginStore(db, secrets);
    }

    @Produces
    @Singleton
    SessionStore sessionStore(AgroalDataSource db, SecretsAtRest secrets) {
        return new SessionStore(db, secrets);
    }

    @Produces
    @Singleton
    OAuthFlow flow(IdentityResolver identities, AuthServerDiscovery discovery, DpopHttp http, ClientSettings settings,
                   ClientAuth auth, TokenClient tokens, LoginStore logins, OAuthConfig config) {
        return new OAuthFlow(identities, discovery, http, settings, auth, tokens, logins, config.loginTtl(),
                Clock.systemUTC());
    }

    @Produces
    @Singleton
    OAuthSessions sessions(SessionStore store, TokenClient tokens, OAuthConfig config) {
        return new OAuthSessions(store, tokens, config.sessionTtl(), config.refreshMargin(),
                config.refreshLockTimeout(), Clock.systemUTC());
    }

    @Produces
    @Singleton
    XrpcClient xrpc(DpopHttp http, OAuthSessions sessions) {
        return new XrpcClient(http, sessions);
    }
}
