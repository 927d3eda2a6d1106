package dev.atpin.dispatch;

import dev.atpin.accounts.Plans;
import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Keeps every wanted content at its replication R (see {@link Placements} for what counts as a copy):
 *
 * <ol>
 *   <li>recomputes R where it may have changed (a tenant left, a plan changed): the largest replication of the
 *       tenants that still want the content;
 *   <li>adds copies where there are fewer than R live ones (a node went down or is draining, a placement
 *       failed for good, R went up);
 *   <li>releases surplus copies, but only while at least R copies are <em>pinned</em> on active nodes, so a
 *       move never drops a content below R: extra copies on active nodes (lowest rendezvous score first), copies
 *       on draining nodes, and rows of down nodes (our pin there is removed by the reconciler when the node
 *       returns, since no placement explains it any more).
 * </ol>
 *
 * <p>One replica at a time runs a round (a Postgres advisory lock); each batch is a short transaction of its
 * own and no Kubo call happens here: the {@link Unpinner} removes released copies under a lease.
 */
@ApplicationScoped
public class Healer {

    private static final Logger LOG = Logger.getLogger(Healer.class);
    private static final long ADVISORY_LOCK = 0x6174_7069_6e48_6c01L;
    private static final int BATCH = 1000;

    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final Plans plans;
    private final MeterRegistry metrics;
    private final Event<ContentLedger.WorkQueued> workQueued;

    Healer(AgroalDataSource db, DispatchConfig config, Plans plans, MeterRegistry metrics,
            Event<ContentLedger.WorkQueued> workQueued) {
        this.db = db;
        this.config = config;
        this.plans = plans;
        this.metrics = metrics;
        this.workQueued = workQueued;
    }

    /** What one round did. */
    public record Round(int recomputed, int placed, int released) {}

    @Scheduled(every = "${atpin.dispatch.heal-interval:5s}", delayed = "3s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void scheduled() {
        if (!config.enabled()) {
            return;
        }
        try {
            heal();
        } catch (SQLException e) {
            LOG.warn("healing round failed", e);
        }
    }

    /** One round, when no other replica is running one. */
    public Round heal() throws SQLException {
        try (Connection session = db.getConnection()) {
            if (!tryLock(session)) {
                return new Round(0, 0, 0);
            }
            long started = System.nanoTime();
            try {
                int recomputed = recomputeReplication();
                int placed = placeMissing();
                if (placed > 0) {
                    // wake the workers now, not after the surplus pass
                    workQueued.fire(new ContentLedger.WorkQueued(placed));
                }
                Round round = new Round(recomputed, placed, releaseSurplus());
                long took = System.nanoTime() - started;
                // a round reads every content: its duration is what to watch as the contents grow
                metrics.timer("atpin.healer.round").record(took, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (round.placed() > 0 || round.released() > 0) {
                    LOG.infof("healing: %d content(s) got new copies, %d surplus copies released (round took %d ms)",
                            round.placed(), round.released(), took / 1_000_000);
                    metrics.counter("atpin.healer.placed").increment(round.placed());
                    metrics.counter("atpin.healer.released").increment(round.released());
                }
                return round;
            } finally {
                try (PreparedStatement unlock = session.prepareStatement("select pg_advisory_unlock(?)")) {
                    unlock.setLong(1, ADVISORY_LOCK);
                    unlock.execute();
                }
            }
        }
    }

    private static boolean tryLock(Connection session) throws SQLException {
        try (PreparedStatement lock = session.prepareStatement("select pg_try_advisory_lock(?)")) {
            lock.setLong(1, ADVISORY_LOCK);
            try (ResultSet rs = lock.executeQuery()) {
                rs.next();
                return rs.getBoolean(1);
            }
        }
    }

    /** R = the largest replication of the plans (or overrides) of the tenants that still want the content. */
    int recomputeReplication() throws SQLException {
        Map<String, Integer> byPlan = plans.replicationByPlan();
        int total = 0;
        while (true) {
            int done = Jdbc.inTransaction(db, c -> {
                try (PreparedStatement q = c.prepareStatement("""
                        with due as (select cid from content where replication_stale order by cid limit ?
                                     for update skip locked),
                        wanted as (
                            select r.cid, max(coalesce(a.replication, pl.r, ?)) as r
                            from pin_request r join due on due.cid = r.cid
                            join account a on a.did = r.did
                            left join unnest(?::text[], ?::int[]) pl(plan, r) on pl.plan = a.plan
                            where r.failure is null
                            group by r.cid)
                        update content ct set replication_stale = false,
                               replication = greatest(?, coalesce(w.r, ct.replication))
                        from due left join wanted w on w.cid = due.cid
                        where ct.cid = due.cid""")) {
                    q.setInt(1, BATCH);
                    q.setInt(2, plans.defaultReplication());
                    q.setArray(3, c.createArrayOf("text", byPlan.keySet().toArray()));
                    q.setArray(4, c.createArrayOf("integer", byPlan.values().toArray()));
                    q.setInt(5, config.replication());
                    return q.executeUpdate();
                }
            });
            total += done;
            if (done < BATCH) {
                return total;
            }
        }
    }

    /**
     * Every content that has placements, with its copies counted by kind, in one pass over {@code placement} (a
     * hash aggregate). A round reads every content, so its cost per content decides what a round costs as the
     * contents grow: testing each content with correlated subqueries, as the passes once did, measured 30-230 µs a
     * content on a busy 2-core machine (over a second a round at 6,000 contents, one round after the other while a
     * restore runs, on the same cores as the pins), this 3-7 times less (ADR 0103). {@code live} is
     * {@link Placements#LIVE_COPY} (keep them equal). The parameter is the keyset position: only contents after it
     * are aggregated.
     */
    private static final String COPIES = """
            select p.cid,
                   count(*) filter (where n.state = 'active' and p.state in ('queued', 'pinning', 'pinned')) as live,
                   count(*) filter (where n.state = 'active' and p.state = 'pinned') as pinned_active,
                   bool_or(n.state <> 'active' and p.state = 'pinned') as pinned_elsewhere,
                   bool_or(n.state <> 'active' and (p.state in ('queued', 'failed')
                           or (p.state = 'pinning' and p.lease_expires_at < now()))) as abandoned
            from placement p join node n on n.name = p.node
            where p.cid > ?
            group by p.cid""";

    /** Walks every wanted content in CID order, batch by batch, and places the missing copies. */
    int placeMissing() throws SQLException {
        return inCidBatches("""
                select ct.cid from content ct left join (%s) k on k.cid = ct.cid
                where ct.cid > ? and ct.refcount > 0 and ct.replication > coalesce(k.live, 0)
                order by ct.cid limit ?""".formatted(COPIES), batch -> Jdbc.inTransaction(db, c -> {
                    // Contents first, in CID order, as admission locks them: a pin request settling the same
                    // content waits for this batch instead of deadlocking with it on the new placement rows.
                    try (PreparedStatement lock = c.prepareStatement(
                            "select cid from content where cid = any(?) order by cid for update")) {
                        lock.setArray(1, c.createArrayOf("text", batch.toArray()));
                        lock.executeQuery().close();
                    }
                    Map<String, List<String>> added = Placements.placeMissing(c, batch);
                    for (String cid : added.keySet()) {
                        ContentLedger.propagate(c, cid);
                    }
                    return added.size();
                }));
    }

    /** Work on one batch of CIDs; returns how many it changed. */
    @FunctionalInterface
    private interface BatchWork {
        int apply(List<String> cids) throws SQLException;
    }

    /**
     * Keyset paging over contents: {@code select} takes the last CID seen (twice: for {@link #COPIES} and for the
     * contents) and the batch size, and returns CIDs in order; each batch is read in a short transaction of its own
     * and handed to {@code work}.
     */
    private int inCidBatches(String select, BatchWork work) throws SQLException {
        int changed = 0;
        String after = "";
        while (true) {
            String from = after;
            List<String> batch = Jdbc.inTransaction(db, c -> {
                List<String> cids = new ArrayList<>();
                try (PreparedStatement q = c.prepareStatement(select)) {
                    q.setString(1, from);
                    q.setString(2, from);
                    q.setInt(3, BATCH);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            cids.add(rs.getString(1));
                        }
                    }
                }
                return cids;
            });
            if (!batch.isEmpty()) {
                changed += work.apply(batch);
            }
            if (batch.size() < BATCH) {
                return changed;
            }
            after = batch.getLast();
        }
    }

    /** A placement row as the surplus decision sees it. */
    private record Copy(String node, String state, boolean leased, String nodeState, double score) {}

    /** Contents with a row on a node that is not active, or more live copies than R: release what is surplus. */
    int releaseSurplus() throws SQLException {
        return inCidBatches("""
                select ct.cid from content ct join (%s) k on k.cid = ct.cid
                where ct.cid > ? and ct.refcount > 0
                  and (
                      -- rows that never became a copy, on a node that takes none: always removable
                      k.abandoned
                      -- anything else only once R copies are pinned on active nodes (skips, right after a node
                      -- loss, every content still waiting for its new copy): a pinned copy on a node that is not
                      -- active, or more live copies than R
                      or (ct.replication <= k.pinned_active and (k.pinned_elsewhere or ct.replication < k.live)))
                order by ct.cid limit ?""".formatted(COPIES), batch -> {
                    int released = 0;
                    for (String cid : batch) {
                        released += Jdbc.inTransaction(db, c -> releaseSurplus(c, cid));
                    }
                    return released;
                });
    }

    private int releaseSurplus(Connection c, String cid) throws SQLException {
        // Lock order is placement rows, then the content: workers finishing a pin, the unpinner and the
        // reconciler do the same (placement, then propagate to content), so healing cannot deadlock with them.
        // The content row itself is only read: an R raised meanwhile is met by the next round.
        List<Copy> copies = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                select p.node, p.state, p.lease_expires_at > now(), n.state, placement_score(p.cid, p.node, n.free_bytes)
                from placement p join node n on n.name = p.node where p.cid = ? order by p.node for update of p""")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    copies.add(new Copy(rs.getString(1), rs.getString(2), rs.getBoolean(3), rs.getString(4),
                            rs.getDouble(5)));
                }
            }
        }
        int replication;
        try (PreparedStatement q = c.prepareStatement("select replication from content where cid = ? and refcount > 0")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return 0;
                }
                replication = rs.getInt(1);
            }
        }
        int changed = 0;
        // Rows that never became a copy on a node that takes none: gone at once (the content is placed elsewhere).
        for (Copy copy : copies) {
            boolean abandoned = copy.state().equals("pinning") && !copy.leased();
            if (!copy.nodeState().equals("active")
                    && (copy.state().equals("queued") || copy.state().equals("failed") || abandoned)) {
                changed += delete(c, cid, copy.node());
            }
        }
        long pinnedOnActive = copies.stream().filter(k -> k.nodeState().equals("active") && k.state().equals("pinned"))
                .count();
        if (pinnedOnActive < replication) {
            // Never below R during a move: every other copy stays until the new ones are pinned.
            if (changed > 0) {
                ContentLedger.propagate(c, cid);
            }
            return changed;
        }
        for (Copy copy : copies) {
            if (copy.state().equals("pinned") && copy.nodeState().equals("draining")) {
                changed += markUnpinning(c, cid, copy.node());
            } else if (copy.state().equals("pinned") && copy.nodeState().equals("down")) {
                // Cannot reach it to unpin; with the row gone, the reconciler removes our pin when it returns.
                changed += delete(c, cid, copy.node());
            }
        }
        // More live copies on active nodes than R: keep pinned ones first, then the best-ranked.
        List<Copy> live = new ArrayList<>(copies.stream().filter(k -> k.nodeState().equals("active")
                && List.of("queued", "pinning", "pinned").contains(k.state())).toList());
        live.sort(Comparator.comparing((Copy k) -> !k.state().equals("pinned")).thenComparing(Copy::score,
                Comparator.reverseOrder()));
        for (Copy extra : live.subList(Math.min(replication, live.size()), live.size())) {
            if (extra.state().equals("pinned")) {
                changed += markUnpinning(c, cid, extra.node());
            } else if (extra.state().equals("queued")) {
                changed += delete(c, cid, extra.node());
            }
            // a copy being pinned right now is left to finish; the next round releases it
        }
        if (changed > 0) {
            ContentLedger.propagate(c, cid);
        }
        return changed;
    }

    private static int delete(Connection c, String cid, String node) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("delete from placement where cid = ? and node = ?")) {
            q.setString(1, cid);
            q.setString(2, node);
            return q.executeUpdate();
        }
    }

    private static int markUnpinning(Connection c, String cid, String node) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                update placement set state = 'unpinning', lease_owner = null, lease_expires_at = null,
                       next_attempt_at = now(), updated_at = now()
                where cid = ? and node = ? and state = 'pinned'""")) {
            q.setString(1, cid);
            q.setString(2, node);
            return q.executeUpdate();
        }
    }
}
