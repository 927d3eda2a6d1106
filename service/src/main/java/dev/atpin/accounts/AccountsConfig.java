package dev.atpin.accounts;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Plans, their limits, and who operates the service ({@code atpin.accounts.*}). */
@ConfigMapping(prefix = "atpin.accounts")
public interface AccountsConfig {

    /** The plan of a new account. Must name one of {@link #plans()}. */
    @WithDefault("free")
    String defaultPlan();

    /** Plans by name, e.g. {@code atpin.accounts.plans.free.max-pins=1000}. */
    Map<String, PlanConfig> plans();

    /** DIDs allowed to use the operator admin API ({@code /admin/v1}). */
    Optional<Set<String>> operators();

    /** Length of the rate-limit window; a plan's {@code rate-limit} counts requests per window. */
    @WithDefault("60s")
    Duration rateWindow();

    /**
     * Most requests a replica claims from a token's window at once (ADR 0110): claims are a sixteenth
     * of what is left, capped by this, so one database write serves up to this many requests.
     */
    @WithDefault("256")
    int rateClaimMaxChunk();

    /** How long an account's effective limits are cached (a plan change is seen after this). */
    @WithDefault("10s")
    Duration limitsCacheTtl();

    interface PlanConfig {
        /** Most live pin requests. */
        @WithDefault("1000")
        long maxPins();

        /** Most bytes over all pinned requests (each request is charged its DAG's size). */
        @WithDefault("5368709120")
        long maxBytes();

        /** Largest DAG one request may pin. */
        @WithDefault("1073741824")
        long maxPinSize();

        /** Copies of each content kept for this plan's requests. */
        @WithDefault("1")
        int replication();

        /** API requests per token per rate window. */
        @WithDefault("600")
        int rateLimit();
    }
}
