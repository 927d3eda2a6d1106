package dev.atpin.admin;

import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.operators.OperatorTokens;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.ext.Provider;
import org.jboss.logging.MDC;

/**
 * Authenticates {@link AdminAuth} resources: an operator's atpin API token (with the {@code admin} scope) or an
 * access token from the identity provider ({@link OperatorTokens}). Refusals use the Failure body; the token is
 * never logged.
 */
@Provider
@AdminAuth
@Priority(Priorities.AUTHENTICATION)
public class AdminAuthFilter implements ContainerRequestFilter {

    private static final String PREFIX = "bearer ";

    private final OperatorTokens tokens;
    private final CurrentOperator current;

    AdminAuthFilter(OperatorTokens tokens, CurrentOperator current) {
        this.tokens = tokens;
        this.current = current;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        String header = request.getHeaderString(HttpHeaders.AUTHORIZATION);
        if (header == null || header.length() <= PREFIX.length()
                || !header.regionMatches(true, 0, PREFIX, 0, PREFIX.length())) {
            request.abortWith(ApiExceptionMapper.failure(401, "UNAUTHORIZED",
                    "send 'Authorization: Bearer <token>' with an operator's API token or identity provider token"));
            return;
        }
        switch (tokens.verify(header.substring(PREFIX.length()).trim())) {
            case OperatorTokens.Accepted accepted -> {
                current.set(accepted.operator());
                MDC.put("did", "operator:" + accepted.operator().name());
            }
            case OperatorTokens.Refused refused ->
                    request.abortWith(ApiExceptionMapper.failure(refused.asException()));
        }
    }
}
