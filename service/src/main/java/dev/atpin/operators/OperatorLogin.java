package dev.atpin.operators;

import io.quarkus.oidc.Oidc;
import io.quarkus.oidc.OidcTenantConfig;
import io.quarkus.oidc.TenantResolver;
import io.quarkus.oidc.runtime.OidcTenantConfig.ApplicationType;
import io.quarkus.oidc.runtime.OidcTenantConfig.Roles.Source;
import io.quarkus.security.identity.SecurityIdentity;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.util.Optional;
import org.eclipse.microprofile.jwt.JsonWebToken;
import org.jboss.logging.Logger;

/**
 * Operator login at the identity provider, kept apart from everything else that authenticates here (atproto
 * OAuth sessions of the dashboard, API tokens, service auth): two OIDC tenants, created from
 * {@link OperatorsConfig} at start, and a tenant resolver that hands the OIDC mechanism the console's
 * paths only.
 *
 * <ul>
 *   <li>{@link #CONSOLE_TENANT}: the console's web login (authorization code flow) on {@code /console/**}.
 *   <li>{@link #BEARER_TENANT}: checks bearer tokens of scripts on the admin API. No path leads to it: the admin
 *       API's own filter asks it, after an atpin API token did not fit (see {@code OperatorTokens}).
 * </ul>
 *
 * Every other path resolves to the default tenant, which is disabled: OIDC never looks at its requests.
 * Without a provider configured neither tenant exists and the service runs as it did.
 */
@ApplicationScoped
public class OperatorLogin implements TenantResolver {

    public static final String CONSOLE_TENANT = "atpin-console";
    public static final String BEARER_TENANT = "atpin-admin-bearer";
    /** The OIDC extension's name for its default tenant (disabled in application.properties). */
    private static final String DEFAULT_TENANT = "Default";
    private static final String CONSOLE = "/console";

    private static final Logger LOG = Logger.getLogger(OperatorLogin.class);

    private final OperatorsConfig.Oidc config;

    OperatorLogin(OperatorsConfig config) {
        this.config = config.oidc();
    }

    /** Whether operators log in at an identity provider (the console works, OIDC bearer tokens are accepted). */
    public boolean enabled() {
        return config.enabled() && config.authServerUrl().isPresent();
    }

    /** The provider's issuer as its tokens name it (the configured URL, without a trailing slash). */
    public Optional<String> issuer() {
        return enabled() ? config.authServerUrl().map(u -> u.toString().replaceAll("/$", "")) : Optional.empty();
    }

    void createTenants(@Observes Oidc oidc) {
        if (!enabled()) {
            LOG.info("Operator login is off (no atpin.operators.oidc.auth-server-url): the console is unavailable and"
                    + " the admin API takes admin-scoped API tokens only");
            return;
        }
        String issuer = config.authServerUrl().map(URI::toString).orElseThrow();
        String secret = config.clientSecret().orElseThrow(() -> new IllegalStateException(
                "atpin.operators.oidc.client-secret is required with atpin.operators.oidc.auth-server-url"));
        String roles = config.rolesClaim().orElse("resource_access/" + config.clientId() + "/roles");
        oidc.create(OidcTenantConfig.authServerUrl(issuer)
                .tenantId(CONSOLE_TENANT)
                .applicationType(ApplicationType.WEB_APP)
                .clientId(config.clientId())
                .credentials(secret)
                // the operator roles are the client's roles, which the provider puts in access tokens
                .roles(Source.accesstoken, roles)
                .authentication()
                    .redirectPath(CONSOLE + "/callback")
                    .restorePathAfterRedirect(true)
                    .removeRedirectParameters(true)
                    .cookiePath(CONSOLE)
                    .pkceRequired(true)
                    .end()
                .token()
                    .refreshExpired(true)
                    .end()
                .logout()
                    .path(CONSOLE + "/logout")
                    .postLogoutPath(CONSOLE + "/signed-out")
                    .end()
                .build());
        oidc.create(OidcTenantConfig.authServerUrl(issuer)
                .tenantId(BEARER_TENANT)
                .applicationType(ApplicationType.SERVICE)
                .clientId(config.clientId())
                .roles(Source.accesstoken, roles)
                // a token minted for another client of the realm is not for us; signed JWTs only (this tenant has
                // no credentials to introspect with, and nobody's garbage should cost a call to the provider)
                .token().audience(config.clientId()).allowOpaqueTokenIntrospection(false).allowJwtIntrospection(false)
                    .end()
                .build());
        LOG.infof("Operators log in at %s (client %s)", issuer, config.clientId());
    }

    @Override
    public String resolve(RoutingContext context) {
        String path = context.normalizedPath();
        boolean console = path.equals(CONSOLE) || path.startsWith(CONSOLE + "/");
        return console && enabled() ? CONSOLE_TENANT : DEFAULT_TENANT;
    }

    /** The operator an identity from either tenant is; empty when it holds no operator role. */
    public static Optional<Operator> operatorOf(SecurityIdentity identity, Operator.Via via) {
        if (identity == null || identity.isAnonymous()) {
            return Optional.empty();
        }
        String name = identity.getPrincipal().getName();
        String subject = identity.getPrincipal() instanceof JsonWebToken jwt && jwt.getSubject() != null
                ? jwt.getSubject() : name;
        return OperatorRole.highestOf(identity.getRoles()).map(role -> new Operator(subject, name, role, via));
    }
}
