package dev.atpin.auth;

import dev.atpin.api.ApiExceptionMapper;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import java.util.Optional;
import org.jboss.logging.MDC;

/**
 * Authenticates {@link ApiTokenAuth} resources. Every refusal is the same 401 with the spec's
 * Failure body; which check failed is not told (and the token is never logged).
 */
@Provider
@ApiTokenAuth
@Priority(Priorities.AUTHENTICATION)
public class BearerAuthFilter implements ContainerRequestFilter {

    private static final String PREFIX = "bearer ";

    private final TokenService tokens;
    private final CurrentCaller current;

    BearerAuthFilter(TokenService tokens, CurrentCaller current) {
        this.tokens = tokens;
        this.current = current;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.isBlank()) {
            request.abortWith(ApiExceptionMapper.failure(401, "UNAUTHORIZED",
                    "missing 'Authorization: Bearer <token>' header"));
            return;
        }
        if (header.length() <= PREFIX.length() || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            request.abortWith(ApiExceptionMapper.failure(401, "UNAUTHORIZED",
                    "the Authorization header must be 'Bearer <token>'"));
            return;
        }
        Optional<Caller> caller = tokens.authenticate(header.substring(PREFIX.length()).trim());
        if (caller.isEmpty()) {
            request.abortWith(ApiExceptionMapper.failure(401, "UNAUTHORIZED",
                    "the access token is invalid, expired or revoked"));
            return;
        }
        current.set(caller.get());
        MDC.put("did", caller.get().did());
    }
}
