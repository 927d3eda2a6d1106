package dev.atpin.watcher;

import java.time.Instant;

/** One enrolled repo as the watcher tracks it. */
public record WatchedRepo(String did, RepoState state, String pdsUrl, String rev, String dataCid, int attempts,
        String lastError, Instant lastEventTime) {}
