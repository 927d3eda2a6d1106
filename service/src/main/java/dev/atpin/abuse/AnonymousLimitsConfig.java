package dev.atpin.abuse;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/**
 * Bounds on the work unauthenticated callers can make us do ({@code atpin.anonymous-limits.*}): outbound
 * fetches and rows written before anyone has proven who they are. Counted per replica, in fixed windows.
 */
@ConfigMapping(prefix = "atpin.anonymous-limits")
public interface AnonymousLimitsConfig {

    /** Length of the counting windows. */
    @WithDefault("1m")
    Duration window();

    /** {@code POST /login}: each attempt resolves the account, discovers its server, pushes a PAR and writes a row. */
    Login login();

    /** Service-auth JWTs whose issuer's DID document is not cached: each costs a fetch from the DID's host or PLC. */
    ServiceAuth serviceAuth();

    interface Login {
        /** Attempts per client address per window. */
        @WithDefault("10")
        int perClient();

        /** Attempts per window from all clients together. */
        @WithDefault("300")
        int total();
    }

    interface ServiceAuth {
        /** DID document fetches per client address per window. */
        @WithDefault("30")
        int perClient();

        /** DID document fetches per window for all clients together. */
        @WithDefault("600")
        int total();
    }
}
