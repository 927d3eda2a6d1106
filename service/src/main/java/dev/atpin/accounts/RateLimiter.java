package dev.atpin.accounts;

import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.auth.Caller;
import dev.atpin.auth.CurrentCaller;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.annotation.Priority;
import jakarta.ws.rs.Priorities;
import jakarta.ws.rs.container.ContainerRequestContext;
import jakarta.ws.rs.container.ContainerRequestFilter;
import jakarta.ws.rs.container.ContainerResponseContext;
import jakarta.ws.rs.container.ContainerResponseFilter;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.Provider;
import java.sql.SQLException;
import java.time.Instant;
import org.jboss.logging.Logger;

/**
 * Per-token rate limits from the plan, in fixed windows counted in Postgres (see {@link RateWindows})
 * so that the limit holds across replicas. Every answer carries {@code x-ratelimit-limit},
 * {@code -remaining} and {@code -reset} (epoch seconds, as the compliance suite and other clients
 * read it); over the limit the answer is 429.
 *
 * <p>It applies to every authenticated call (API tokens and service auth); others pass untouched.
 *
 * <p>JAX-RS providers are created before runtime configuration exists, so this one only holds
 * proxies of application-scoped beans.
 */
@Provider
@Priority(Priorities.AUTHORIZATION)
public class RateLimiter implements ContainerRequestFilter, ContainerResponseFilter {

    private static final Logger LOG = Logger.getLogger(RateLimiter.class);
    private static final String WINDOW = RateLimiter.class.getName() + ".window";

    private final CurrentCaller caller;
    private final Plans plans;
    private final RateWindows windows;
    private final MeterRegistry metrics;

    RateLimiter(CurrentCaller caller, Plans plans, RateWindows windows, MeterRegistry metrics) {
        this.caller = caller;
        this.plans = plans;
        this.windows = windows;
        this.metrics = metrics;
    }

    @Override
    public void filter(ContainerRequestContext request) {
        if (request.getProperty(WINDOW) != null) {
            return;
        }
        Caller who;
        try {
            who = caller.get();
        } catch (RuntimeException unauthenticated) {
            return; // the authentication filter has already answered
        }
        Limits limits = plans.of(who.did());
        RateWindows.Window window;
        try {
            window = windows.count(who.tokenId(), limits.rateLimit());
        } catch (SQLException e) {
            // Failing open: a database hiccup must not turn into refused API calls.
            LOG.warn("rate limit counter unavailable", e);
            return;
        }
        request.setProperty(WINDOW, window);
        if (window.hits() > window.limit()) {
            metrics.counter("atpin.ratelimit.refusals", "plan", limits.plan()).increment();
            Response refused = ApiExceptionMapper.failure(429, "RATE_LIMITED", "more than " + window.limit()
                    + " requests in " + window.seconds() + " s for this token (plan " + limits.plan()
                    + "); retry after the time in x-ratelimit-reset");
            request.abortWith(Response.fromResponse(refused)
                    .header("Retry-After", Math.max(1, window.resetEpochSecond() - Instant.now().getEpochSecond()))
                    .build());
        }
    }

    @Override
    public void filter(ContainerRequestContext request, ContainerResponseContext response) {
        if (request.getProperty(WINDOW) instanceof RateWindows.Window window) {
            response.getHeaders().putSingle("x-ratelimit-limit", window.limit());
            response.getHeaders().putSingle("x-ratelimit-remaining", window.remaining());
            response.getHeaders().putSingle("x-ratelimit-reset", window.resetEpochSecond());
        }
    }
}
