package dev.atpin.dashboard.repo;

import java.util.Map;
import java.util.Set;

/**
 * The watcher's view of the user's repo; {@code state} is null when it was never enrolled.
 *
 * @param problems records that could not be pinned: path → why
 */
public record RepoView(String state, String pds, String rev, Long lagSeconds, String lastError,
        Map<String, String> problems) {

    static final RepoView NOT_ENROLLED = new RepoView(null, null, null, null, null, Map.of());
    static final RepoView UNAVAILABLE = new RepoView(null, null, null, null, "status unavailable", Map.of());

    /** States in which the watcher follows the repo, so a pin added from the dashboard becomes a record. */
    private static final Set<String> FOLLOWED = Set.of("pending", "resyncing", "active", "desynchronized", "error");
    private static final Set<String> RESYNC_DUE = Set.of("pending", "resyncing", "desynchronized");

    public boolean enrolled() {
        return state != null && !"unenrolled".equals(state);
    }

    public boolean followed() {
        return state != null && FOLLOWED.contains(state);
    }

    /** A backfill or resync is due or running: the form offers no second one. */
    public boolean resyncing() {
        return state != null && RESYNC_DUE.contains(state);
    }

    /** Whether the page should look again soon (a state that changes by itself). */
    public boolean settling() {
        return resyncing();
    }

    /** What the state means, for people. */
    public String meaning() {
        return state == null ? "Not enrolled." : switch (state) {
            case "pending" -> "Enrolled: the first full read of your repo (backfill) is about to run.";
            case "resyncing" -> "Reading your whole repo and making the pins match it.";
            case "active" -> "In step: new pin records are pinned as they are committed.";
            case "desynchronized" -> "A gap or a failed check was seen: a full resync is scheduled; nothing is "
                    + "applied until it has run.";
            case "frozen" -> "Your account is deactivated at its PDS: pins are kept, no change is applied.";
            case "deleted" -> "Your account was deleted: its record pins are released after a grace period.";
            case "unenrolled" -> "Not enrolled: your pin records are not followed.";
            case "error" -> "Reading your repo keeps failing; the watcher retries with a growing delay.";
            default -> state;
        };
    }
}
