package dev.atpin.operators;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.util.Optional;

/**
 * Who the operators are ({@code atpin.operators.*}): people and scripts known to the organisation's
 * identity provider (OIDC; Keycloak is the reference), with the roles {@code atpin-viewer} and
 * {@code atpin-admin}. Without a provider the service runs as before: no console login, and the
 * admin API takes admin-scoped API tokens of the DIDs in {@code atpin.accounts.operators}.
 */
@ConfigMapping(prefix = "atpin.operators")
public interface OperatorsConfig {

    Oidc oidc();

    /** Provisioning of the provider by {@code keycloak-setup}. */
    Keycloak keycloak();

    interface Oidc {
        /**
         * The provider's issuer URL (Keycloak: {@code https://sso.example.org/realms/<realm>}). Unset: operator
         * login is off.
         */
        Optional<URI> authServerUrl();

        /** The console's client at the provider; its client roles are the operator roles, and the audience of bearer tokens. */
        @WithDefault("atpin-console")
        String clientId();

        /** The console client's secret (confidential client). Required with {@link #authServerUrl()}. */
        Optional<String> clientSecret();

        /** Where the roles are in an access token; default {@code resource_access/<client-id>/roles} (Keycloak client roles). */
        Optional<String> rolesClaim();

        /** Off switches operator login off while keeping its settings (the one-shot commands do this). */
        @WithDefault("true")
        boolean enabled();
    }

    interface Keycloak {
        /** Keycloak's base URL; default: {@link Oidc#authServerUrl()} without {@code /realms/<realm>}. */
        Optional<URI> url();

        /** The realm to provision; default: the one {@link Oidc#authServerUrl()} names. */
        Optional<String> realm();

        /** Create the realm when it does not exist (on for local runs and tests; an organisation's realm exists). */
        @WithDefault("true")
        boolean createRealm();

        /** The realm the provisioning account lives in. */
        @WithDefault("master")
        String adminRealm();

        /** A Keycloak admin user (with the admin password), or ... */
        Optional<String> adminUsername();

        Optional<String> adminPassword();

        /** ... a service-account client with the realm-management roles needed (with its secret). */
        Optional<String> adminClientId();

        Optional<String> adminClientSecret();

        /**
         * Local runs and tests only: also create the demo operators {@code operator-admin} and
         * {@code operator-viewer} with this password, and a public client {@code atpin-cli} with password grants
         * so that they can fetch bearer tokens from a shell.
         */
        Optional<String> demoPassword();
    }
}
