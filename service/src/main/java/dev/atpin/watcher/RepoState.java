package dev.atpin.watcher;

/** Where the watcher is with one enrolled repo. */
public enum RepoState {
    /** Enrolled, waiting for its first backfill. */
    PENDING,
    /** A replica is fetching and reconciling the whole repo; live events are buffered meanwhile. */
    RESYNCING,
    /** In step with the upstream: live commits are verified and applied. */
    ACTIVE,
    /** A gap or a failed check: a resync is scheduled; nothing is applied until it has run. */
    DESYNCHRONIZED,
    /** The account is deactivated or taken down: its pins are kept, no change is applied. */
    FROZEN,
    /** The account is deleted: its record pins are released after a grace period. */
    DELETED,
    /** The enrollment record is gone: the user withdrew consent; record pins are released. */
    UNENROLLED,
    /** Resyncs keep failing (e.g. the PDS cannot be reached); retried with backoff. */
    ERROR;

    public String db() {
        return name().toLowerCase(java.util.Locale.ROOT);
    }

    public static RepoState fromDb(String value) {
        return valueOf(value.toUpperCase(java.util.Locale.ROOT));
    }

    /** Live events for the repo are kept for after the resync instead of applied. */
    public boolean buffersEvents() {
        return this == PENDING || this == RESYNCING || this == DESYNCHRONIZED || this == ERROR;
    }
}
