package dev.atpin.pins;

import java.time.Instant;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * A validated {@code GET /pins} query. {@code statuses} is already resolved by the default-status
 * rule: when the client gives none, it is {@code pinned} alone unless another filter is given.
 *
 * @param origin where the requests come from: the API's own filters never narrow it (the spec has no such
 *               filter); the dashboard does
 */
public record PinQuery(Set<String> cids, Optional<String> name, TextMatch match, Set<String> statuses,
        Optional<Instant> before, Optional<Instant> after, int limit, Map<String, String> meta, Origin origin) {

    /** Which requests by their {@code source}: any, those made through the API, or those that follow a record. */
    public enum Origin { ANY, API, RECORD }

    /** A query over requests of any origin (the Pinning Service API's). */
    public PinQuery(Set<String> cids, Optional<String> name, TextMatch match, Set<String> statuses,
            Optional<Instant> before, Optional<Instant> after, int limit, Map<String, String> meta) {
        this(cids, name, match, statuses, before, after, limit, meta, Origin.ANY);
    }

    public PinQuery withOrigin(Origin narrowed) {
        return new PinQuery(cids, name, match, statuses, before, after, limit, meta, narrowed);
    }

    /** Only status filters: counts can come from the per-tenant counters. */
    public boolean onlyStatusFilter() {
        return cids.isEmpty() && name.isEmpty() && before.isEmpty() && after.isEmpty() && meta.isEmpty()
                && origin == Origin.ANY;
    }

    /** Status filters and exactly one cursor ({@code before} or {@code after}): Kubo's paging. */
    public boolean statusFilterWithOneCursor() {
        return cids.isEmpty() && name.isEmpty() && meta.isEmpty() && origin == Origin.ANY
                && before.isPresent() != after.isPresent();
    }
}
