package dev.atpin.watcher;

import java.time.Instant;

/** One enrolled repo as the watcher tracks it. */
public record WatchedRepo(String did, RepoState state, String pdsUrl, String rev, String dataCid, int attempts,
        String lastError, Instant lastEventTime) {

    /** How far the last applied event is behind now, in seconds; null before the first live event. */
    public Long lagSeconds() {
        return lastEventTime == null ? null
                : Math.max(0, java.time.Duration.between(lastEventTime, Instant.now()).toSeconds());
    }
}
