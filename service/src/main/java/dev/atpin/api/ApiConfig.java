package dev.atpin.api;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;

/** Bounds on what a Pinning Service API client may send ({@code atpin.api.*}). */
@ConfigMapping(prefix = "atpin.api")
public interface ApiConfig {

    /**
     * Largest request body, in bytes, refused with our Failure body (413 {@code BODY_TOO_LARGE}).
     * {@code quarkus.http.limits.max-body-size} stays above it as the network-level cap.
     */
    @WithDefault("65536")
    int maxBodyBytes();

    /** Largest accepted {@code name}, in characters (the spec's limit). */
    @WithDefault("255")
    int maxNameLength();

    /** Most {@code origins} in one pin. */
    @WithDefault("20")
    int maxOrigins();

    /** Most keys in {@code meta}. */
    @WithDefault("20")
    int maxMetaKeys();

    /** Longest {@code meta} key, in characters. */
    @WithDefault("255")
    int maxMetaKeyLength();

    /** Longest {@code meta} value, in characters. */
    @WithDefault("2048")
    int maxMetaValueLength();
}
