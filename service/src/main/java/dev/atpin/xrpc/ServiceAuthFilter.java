package dev.atpin.xrpc;

import dev.atpin.accounts.Accounts;
import dev.atpin.auth.Caller;
import dev.atpin.auth.CurrentCaller;
import dev.atpin.auth.Scope;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.nio.charset.StandardCharsets;
import java.util.EnumSet;
import java.util.UUID;

/**
 * Authenticates XRPC calls made for a user by an app (directly, or proxied by the user's PDS):
 * the bearer token is a service-auth JWT whose {@code lxm} must be the method in the path.
 */
@Provider
@ServiceAuthRequired
@Priority(Priorities.AUTHENTICATION)
public class ServiceAuthFilter implements ContainerRequestFilter {

    private static final String PREFIX = "bearer ";

    private final ServiceAuth auth;
    private final CurrentCaller current;
    private final Accounts accounts;

    ServiceAuthFilter(ServiceAuth auth, CurrentCaller current, Accounts accounts) {
        this.auth = auth;
        this.current = current;
        this.accounts = accounts;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            request.abortWith(XrpcError.response(401, "AuthenticationRequired",
                    "send a service-auth JWT as 'Authorization: Bearer <jwt>'"));
            return;
        }
        String path = request.getUriInfo().getPath();
        String lxm = path.substring(path.lastIndexOf('/') + 1);
        try {
            ServiceAuthVerifier.Verified who = auth.verify(header.substring(PREFIX.length()).trim(), lxm);
            // A stable pseudo token id per user, so that rate limits apply to service-auth callers too.
            UUID id = UUID.nameUUIDFromBytes(("service-auth:" + who.did()).getBytes(StandardCharsets.UTF_8));
            accounts.ensureExists(who.did()); // an app may be the first to bring us this user
            current.set(new Caller(who.did(), id, EnumSet.of(Scope.READ, Scope.WRITE)));
        } catch (ServiceAuthVerifier.TooManyLookups e) {
            request.abortWith(jakarta.ws.rs.core.Response.fromResponse(
                    XrpcError.response(429, "RateLimitExceeded", e.getMessage()))
                    .header("Retry-After", Math.max(1, auth.retryAfter().toSeconds())).build());
        } catch (ServiceAuthVerifier.Refused e) {
            request.abortWith(XrpcError.response(401, "InvalidToken", e.getMessage()));
        }
    }
}
