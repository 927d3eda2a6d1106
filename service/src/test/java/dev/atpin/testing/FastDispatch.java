package dev.atpin.testing;

import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * The dispatch timings of a {@link ServiceProcess} under test: seconds where production waits minutes (a node is
 * declared down after 4 s instead of 1 min, a retry comes after 1 s instead of 15 s, a released pin goes after 1 s
 * instead of 10 min), so that healing, unpinning and reconciling happen within a test's patience. Each constant is
 * one environment variable with the value process tests use; a test that needs another value puts its own after
 * {@link #env()} and says why.
 */
public enum FastDispatch {

    /** The origins in tests are Kubo daemons on loopback, which the service refuses to dial by default. */
    DIAL_PRIVATE_ORIGINS("ATPIN_DISPATCH_DIAL_PRIVATE_ORIGINS", "true"),
    HEALTH_INTERVAL("ATPIN_DISPATCH_HEALTH_INTERVAL", "1s"),
    DOWN_AFTER("ATPIN_DISPATCH_DOWN_AFTER", "4s"),
    HEAL_INTERVAL("ATPIN_DISPATCH_HEAL_INTERVAL", "1s"),
    UNPIN_INTERVAL("ATPIN_DISPATCH_UNPIN_INTERVAL", "1s"),
    UNPIN_GRACE("ATPIN_DISPATCH_UNPIN_GRACE", "1s"),
    INITIAL_BACKOFF("ATPIN_DISPATCH_INITIAL_BACKOFF", "1s"),
    MAX_BACKOFF("ATPIN_DISPATCH_MAX_BACKOFF", "3s"),
    NO_PROGRESS_TIMEOUT("ATPIN_DISPATCH_NO_PROGRESS_TIMEOUT", "10s"),
    RECONCILE_DELAY("ATPIN_DISPATCH_RECONCILE_DELAY", "2s"),
    RECONCILE_INTERVAL("ATPIN_DISPATCH_RECONCILE_INTERVAL", "3s"),
    /** Short, so that a killed node is found out by its health checks within {@link #DOWN_AFTER}. */
    KUBO_RPC_TIMEOUT("ATPIN_KUBO_RPC_TIMEOUT", "3s");

    private final String variable;
    private final String value;

    FastDispatch(String variable, String value) {
        this.variable = variable;
        this.value = value;
    }

    /** The environment variable this setting is passed as. */
    public String variable() {
        return variable;
    }

    /** Every setting: what a process test of pinning, healing, unpinning and reconciling runs with. */
    public static Map<String, String> env() {
        return env(EnumSet.allOf(FastDispatch.class));
    }

    /** Only {@code settings}, in declaration order; every other one stays at the service's default. */
    public static Map<String, String> env(Set<FastDispatch> settings) {
        Map<String, String> env = new LinkedHashMap<>();
        for (FastDispatch setting : values()) {
            if (settings.contains(setting)) {
                env.put(setting.variable, setting.value);
            }
        }
        return env;
    }
}
