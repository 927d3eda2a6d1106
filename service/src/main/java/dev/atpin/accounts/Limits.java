package dev.atpin.accounts;

/** What one account may use: its plan's limits with its own overrides applied. */
public record Limits(String plan, boolean suspended, long maxPins, long maxBytes, long maxPinSize, int replication,
        int rateLimit) {}
