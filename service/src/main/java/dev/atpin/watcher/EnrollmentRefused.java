package dev.atpin.watcher;

import dev.atpin.api.ApiException;
import java.time.Instant;
import java.util.Optional;

/** An enrollment the watcher will not take: over the account's rate, or the watcher is full. */
public final class EnrollmentRefused extends ApiException {

    private final transient Optional<Instant> retryAt;

    private EnrollmentRefused(Kind kind, String reason, String details, Optional<Instant> retryAt) {
        super(kind, reason, details);
        this.retryAt = retryAt;
    }

    static EnrollmentRefused tooOften(int limit, long windowSeconds, Instant windowEnds) {
        return new EnrollmentRefused(Kind.TOO_OFTEN, "TOO_MANY_ENROLLMENTS", "this account enrolled its repo " + limit
                + " times within " + windowSeconds + " s, the most allowed (each enrollment downloads the whole repo);"
                + " try again after " + windowEnds, Optional.of(windowEnds));
    }

    static EnrollmentRefused full(String what) {
        return new EnrollmentRefused(Kind.UNAVAILABLE, "WATCHER_AT_CAPACITY", "the watcher already follows " + what
                + ", the most it may; try again later or ask the operator", Optional.empty());
    }

    static EnrollmentRefused unresolvable(String did, String why) {
        return new EnrollmentRefused(Kind.UNUSABLE, "UNRESOLVABLE_DID", "the account " + did
                + " cannot be resolved to a DID document with a PDS: " + why, Optional.empty());
    }

    /** When trying again may succeed, for a {@code Retry-After}. */
    public Optional<Instant> retryAt() {
        return retryAt;
    }
}
