package dev.atpin.abuse;

import com.github.benmanes.caffeine.cache.Ticker;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.vertx.http.runtime.CurrentVertxRequest;
import io.vertx.core.net.SocketAddress;
import io.vertx.ext.web.RoutingContext;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.Duration;

/**
 * Limits on what unauthenticated requests may cost: per client address and in total, so one client cannot
 * use us to flood others, nor many clients together to flood the network or our database. Checked before any
 * outbound fetch.
 *
 * <p>The client address is the connection's peer; behind a load balancer enable
 * {@code quarkus.http.proxy.proxy-address-forwarding} so that it is the forwarded client instead.
 */
@ApplicationScoped
public class AnonymousLimits {

    private final FixedWindows logins;
    private final FixedWindows didFetches;
    private final CurrentVertxRequest request;
    private final MeterRegistry metrics;

    AnonymousLimits(AnonymousLimitsConfig config, CurrentVertxRequest request, MeterRegistry metrics) {
        this.request = request;
        this.metrics = metrics;
        this.logins = new FixedWindows(config.login().perClient(), config.login().total(), config.window(),
                Ticker.systemTicker());
        this.didFetches = new FixedWindows(config.serviceAuth().perClient(), config.serviceAuth().total(),
                config.window(), Ticker.systemTicker());
    }

    /** Counts a login attempt of the current request's client; false when it must be refused (429). */
    public boolean admitLogin() {
        return admit(logins, "login");
    }

    /** Counts a DID document fetch for an unauthenticated service-auth caller; false when it must not happen. */
    public boolean admitDidFetch() {
        return admit(didFetches, "service-auth");
    }

    /** How long a refused client should wait (at most one window). */
    public Duration retryAfter() {
        return logins.window();
    }

    private boolean admit(FixedWindows windows, String what) {
        boolean admitted = windows.admit(clientAddress());
        if (!admitted) {
            metrics.counter("atpin.anonymous.refusals", "what", what).increment();
        }
        return admitted;
    }

    private String clientAddress() {
        RoutingContext current = request.getCurrent();
        if (current == null) {
            return "unknown";
        }
        SocketAddress remote = current.request().remoteAddress();
        return remote == null ? "unknown" : remote.hostAddress();
    }
}
