package dev.atpin.operators;

import dev.atpin.api.ApiException;
import com.nimbusds.jwt.SignedJWT;
import dev.atpin.accounts.AccountsConfig;
import dev.atpin.auth.Caller;
import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import io.quarkus.oidc.AccessTokenCredential;
import io.quarkus.oidc.Tenant;
import io.quarkus.oidc.TenantIdentityProvider;
import io.quarkus.security.AuthenticationFailedException;
import io.quarkus.security.identity.SecurityIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import java.text.ParseException;
import java.time.Duration;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Turns the bearer token of an admin API call into an operator. Two kinds are accepted, tried in this order:
 *
 * <ol>
 *   <li>an atpin API token of a DID listed in {@code atpin.accounts.operators}, carrying the {@code admin}
 *       scope: with {@code write} it acts as {@link OperatorRole#ADMIN}, without as {@link OperatorRole#VIEWER}
 *       (a read-only token never writes);
 *   <li>an access token from the identity provider, for our client (audience), with an operator role.
 * </ol>
 */
@ApplicationScoped
public class OperatorTokens {

    private static final Logger LOG = Logger.getLogger(OperatorTokens.class);
    private static final Duration PROVIDER_TIMEOUT = Duration.ofSeconds(15);

    /** What a token turned out to be: an operator, or why not (status and reason for the Failure body). */
    public sealed interface Verdict {}

    public record Accepted(Operator operator) implements Verdict {}

    public record Refused(ApiException.Kind kind, String reason, String details) implements Verdict {
        public ApiException asException() {
            return new ApiException(kind, reason, details);
        }
    }

    private final TokenService apiTokens;
    private final Set<String> apiTokenOperators;
    private final OperatorLogin login;
    private final TenantIdentityProvider provider;

    OperatorTokens(TokenService apiTokens, AccountsConfig accounts, OperatorLogin login,
            @Tenant(OperatorLogin.BEARER_TENANT) TenantIdentityProvider provider) {
        this.apiTokens = apiTokens;
        this.apiTokenOperators = accounts.operators().orElse(Set.of());
        this.login = login;
        this.provider = provider;
    }

    public Verdict verify(String token) {
        Optional<Caller> caller = apiTokens.authenticate(token);
        if (caller.isPresent()) {
            return fromApiToken(caller.get());
        }
        if (!login.enabled() || !claimsOurIssuer(token)) {
            return unauthorized();
        }
        SecurityIdentity identity;
        try {
            identity = provider.authenticate(new AccessTokenCredential(token)).await().atMost(PROVIDER_TIMEOUT);
        } catch (AuthenticationFailedException e) {
            return unauthorized();
        } catch (RuntimeException e) {
            // The provider could not be asked (down, timed out): not the caller's fault, and not a yes.
            LOG.warnf("cannot verify an operator token with the identity provider: %s", e.getMessage());
            return new Refused(ApiException.Kind.UNAVAILABLE, "OPERATOR_LOGIN_UNAVAILABLE", "the identity provider cannot be reached; try again");
        }
        return OperatorLogin.operatorOf(identity, Operator.Via.OIDC_TOKEN).<Verdict>map(Accepted::new)
                .orElseGet(OperatorTokens::notAnOperator);
    }

    /**
     * A cheap look before asking the provider: only a signed JWT that names our provider as its issuer can be one
     * of its tokens (unverified here; the provider's tenant verifies everything). Anything else is refused at once,
     * without a call to the provider, and so is never answered with "provider unavailable".
     */
    private boolean claimsOurIssuer(String token) {
        try {
            String issuer = SignedJWT.parse(token).getJWTClaimsSet().getIssuer();
            return issuer != null && login.issuer().filter(issuer::equals).isPresent();
        } catch (ParseException | RuntimeException e) {
            return false;
        }
    }

    private Verdict fromApiToken(Caller caller) {
        if (!apiTokenOperators.contains(caller.did())) {
            return notAnOperator();
        }
        if (!caller.may(Scope.ADMIN)) {
            return new Refused(ApiException.Kind.FORBIDDEN, "INSUFFICIENT_SCOPE", "the admin API needs a token with the 'admin' scope");
        }
        OperatorRole role = caller.may(Scope.WRITE) ? OperatorRole.ADMIN : OperatorRole.VIEWER;
        return new Accepted(new Operator(caller.did(), caller.did(), role, Operator.Via.API_TOKEN));
    }

    private static Refused unauthorized() {
        return new Refused(ApiException.Kind.UNAUTHENTICATED, "UNAUTHORIZED", "the access token is invalid, expired or revoked");
    }

    private static Refused notAnOperator() {
        return new Refused(ApiException.Kind.FORBIDDEN, "NOT_AN_OPERATOR", "the admin API is for the service's operators");
    }
}
