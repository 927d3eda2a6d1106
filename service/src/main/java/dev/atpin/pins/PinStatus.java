package dev.atpin.pins;

import java.util.Set;

/** The spec's {@code Status} values. */
public final class PinStatus {
    public static final String QUEUED = "queued";
    public static final String PINNING = "pinning";
    public static final String PINNED = "pinned";
    public static final String FAILED = "failed";
    public static final Set<String> ALL = Set.of(QUEUED, PINNING, PINNED, FAILED);

    private PinStatus() {}
}
