package dev.atpin.dispatch;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Where a content's copies go. A content wants {@code content.replication} live copies (queued, pinning or
 * pinned placements on active nodes: a failed placement, or one on a draining or down node, never counts).
 * Missing copies go to the usable nodes (active, answering, with room for the content) that rank highest by
 * weighted rendezvous hashing ({@code placement_score}: weight = the node's free space), so a content keeps its
 * nodes when unrelated nodes come and go. A node that already has a row for the content (even a failed one) is
 * not chosen again.
 */
public final class Placements {

    private Placements() {}

    /** Counts as a copy toward R: not failed, not being released, on an active node. */
    static final String LIVE_COPY = """
            p.state in ('queued', 'pinning', 'pinned')
            and exists (select 1 from node ln where ln.name = p.node and ln.state = 'active')""";

    /**
     * Adds placements for {@code cids} (wanted ones) up to their replication, on the caller's connection.
     *
     * @return the nodes added, by CID
     */
    public static Map<String, List<String>> placeMissing(Connection c, Collection<String> cids) throws SQLException {
        Map<String, List<String>> out = new HashMap<>();
        if (cids.isEmpty()) {
            return out;
        }
        try (PreparedStatement q = c.prepareStatement("""
                insert into placement (cid, node)
                select ct.cid, best.name from content ct
                cross join lateral (
                    select n.name from node n
                    where n.state = 'active' and n.healthy and coalesce(n.free_bytes, 0) > coalesce(ct.size_bytes, 0)
                      and not exists (select 1 from placement x where x.cid = ct.cid and x.node = n.name)
                    order by placement_score(ct.cid, n.name, n.free_bytes) desc
                    limit greatest(0, ct.replication - (select count(*) from placement p where p.cid = ct.cid and %s))
                ) best
                where ct.cid = any(?) and ct.refcount > 0
                order by ct.cid
                on conflict do nothing
                returning cid, node""".formatted(LIVE_COPY))) {
            q.setArray(1, c.createArrayOf("text", cids.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }
}
