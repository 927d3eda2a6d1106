package dev.atpin.pins;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** The write path of the Pinning Service API ({@code atpin.pins.*}). */
@ConfigMapping(prefix = "atpin.pins")
public interface PinsConfig {

    /**
     * Group commit of adds (ADR 0111): at most this many transactions committing adds at once on
     * one replica. Requests that arrive meanwhile wait and go into the next transaction together.
     */
    @WithDefault("2")
    int committers();

    /** Most adds one group-commit transaction carries. */
    @WithDefault("128")
    int maxBatch();
}
