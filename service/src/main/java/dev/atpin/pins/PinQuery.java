package dev.atpin.pins;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code GET /pins} query. {@code statuses} is already resolved by the default-status
 * rule: when the client gives none, it is {@code pinned} alone unless another filter is given.
 */
public record PinQuery(Set<String> cids, Optional<String> name, TextMatch match, Set<String> statuses,
        Optional<Instant> before, Optional<Instant> after, int limit, Map<String, String> meta) {

    /** Only status filters: counts can come from the per-tenant counters. */
    public boolean onlyStatusFilter() {
        return cids.isEmpty() && name.isEmpty() && before.isEmpty() && after.isEmpty() && meta.isEmpty();
    }
}
