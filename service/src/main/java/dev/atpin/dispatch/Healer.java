package dev.atpin.dispatch;

import dev.atpin.accounts.Plans;
import dev.atpin.db.Jdbc;
import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.dispatch.backend.PinBackendException;
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
 * <p>On a target that replicates itself (IPFS Cluster, {@link PinBackend#replicatesItself}) one placement stands for
 * the copies the target keeps, so two more passes keep the row true:
 *
 * <ol>
 *   <li>right after the recompute, a pin whose {@code replication_asked} differs from its content's R is asked for
 *       the new one ({@link PinBackend#updateReplication}), at most {@value #MAX_REPLICATION_UPDATES} a round; R
 *       reaches the cluster within a heal interval of changing, not at the next reconciliation, which remains the
 *       backstop (it records the replication the cluster really keeps, and a difference is asked for again);
 *   <li>last, the peers holding each pin ({@code copy_peers}, which {@code info.replicas_pinned} counts) are read
 *       again ({@link PinBackend#holders}) where they may have changed: just asked for another R, fewer holders
 *       than asked while peers enough answer, or a holder that stopped answering; at most
 *       {@value #MAX_HOLDER_READS} a round, the longest unread first.
 * </ol>
 *
 * <p>One replica at a time runs a round (a Postgres advisory lock); each batch is a short transaction of its
 * own and no call to a node happens inside one: the calls of the two passes above are made with no transaction
 * open, and their outcome is written afterwards in one statement; the {@link Unpinner} removes released copies
 * under a lease.
 */
@ApplicationScoped
public class Healer {

    private static final Logger LOG = Logger.getLogger(Healer.class);
    private static final long ADVISORY_LOCK = 0x6174_7069_6e48_6c01L;
    private static final int BATCH = 1000;
    /** Pins asked for a new replication per round (each a read and an update of the pin on the target). */
    static final int MAX_REPLICATION_UPDATES = 256;
    /** Pins whose holders are read per round (one status request per 64). */
    static final int MAX_HOLDER_READS = 256;
    /** Calls in a row that fail before a pass gives up for this round: the target is not answering. */
    private static final int MAX_FAILURES_IN_A_ROW = 3;

    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final Plans plans;
    private final MeterRegistry metrics;
    private final Event<ContentLedger.WorkQueued> workQueued;
    private final PinBackend backend;
    private final NodeRegistry registry;
    /**
     * Where the next round's replication pass starts (keyset over CIDs, back to the start after the last): pins a
     * target refuses (more copies than it has peers) are retried once per pass over the differing ones, never
     * holding up the others. This replica's alone; another replica taking over the rounds starts from the first.
     */
    private String askAfter = "";
    /** The answering peers of each target that replicates itself, as the last round saw them. */
    private final Map<String, java.util.Set<String>> answeringPeers = new java.util.concurrent.ConcurrentHashMap<>();
    /** Targets whose pins may still name a holder that stopped answering (see {@link #readHolders}). */
    private final java.util.Set<String> lostHolderPending = java.util.concurrent.ConcurrentHashMap.newKeySet();

    Healer(AgroalDataSource db, DispatchConfig config, Plans plans, MeterRegistry metrics,
            Event<ContentLedger.WorkQueued> workQueued, PinBackend backend, NodeRegistry registry) {
        this.backend = backend;
        this.registry = registry;
        this.db = db;
        this.config = config;
        this.plans = plans;
        this.metrics = metrics;
        this.workQueued = workQueued;
    }

    /**
     * What one round did: R recomputed, contents given copies, copies released, and on a target that replicates
     * itself pins asked for a new replication and pins whose holders were read.
     */
    public record Round(int recomputed, int placed, int released, int asked, int read) {}

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
                return new Round(0, 0, 0, 0, 0);
            }
            long started = System.nanoTime();
            try {
                int recomputed = recomputeReplication();
                int asked = askReplication();
                int placed = placeMissing();
                if (placed > 0) {
                    // wake the workers now, not after the surplus pass
                    workQueued.fire(new ContentLedger.WorkQueued(placed));
                }
                int released = releaseSurplus();
                Round round = new Round(recomputed, placed, released, asked, readHolders());
                long took = System.nanoTime() - started;
                // a round reads every content: its duration is what to watch as the contents grow
                metrics.timer("atpin.healer.round").record(took, java.util.concurrent.TimeUnit.NANOSECONDS);
                if (round.placed() > 0 || round.released() > 0) {
                    LOG.infof("healing: %d content(s) got new copies, %d surplus copies released (round took %d ms)",
                            round.placed(), round.released(), took / 1_000_000);
                    metrics.counter("atpin.healer.placed").increment(round.placed());
                    metrics.counter("atpin.healer.released").increment(round.released());
                }
                if (round.asked() > 0) {
                    LOG.infof("healing: %d pin(s) asked for a new replication", round.asked());
                    metrics.counter("atpin.healer.replication.asked").increment(round.asked());
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

    /** A pin to ask for another replication. */
    private record Ask(String cid, String node, int replication) {}

    /**
     * Asks the target of each pinned placement whose {@code replication_asked} is not its content's R
     * ({@code replication_wanted}, which a trigger keeps equal to {@code content.replication}) for R
     * ({@link PinBackend#updateReplication}), then records what was accepted and makes those pins' holders due for
     * a read. The candidates are read in one short statement (a partial index holds exactly the differing rows; no
     * join with the contents, which made Postgres walk their whole index, and a content no longer wanted is asked
     * like any other: its row goes when it is unpinned), the
     * calls are made with no transaction open, and the outcome is written in one statement: no row is locked across
     * a call. A pin whose R changed again meanwhile still differs, and is asked again by the next round.
     */
    int askReplication() throws SQLException {
        if (!backend.replicatesItself()) {
            return 0;
        }
        String from = askAfter;
        List<Ask> due = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select p.cid, p.node, p.replication_wanted from placement p
                        where p.replication_asked <> p.replication_wanted and p.state = 'pinned' and p.cid > ?
                        order by p.cid limit ?""")) {
            q.setString(1, from);
            q.setInt(2, MAX_REPLICATION_UPDATES);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    due.add(new Ask(rs.getString(1), rs.getString(2), rs.getInt(3)));
                }
            }
        }
        askAfter = due.size() < MAX_REPLICATION_UPDATES ? "" : due.getLast().cid();
        List<Ask> accepted = new ArrayList<>();
        int failuresInARow = 0;
        for (Ask ask : due) {
            try {
                backend.updateReplication(ask.node(), ask.cid(), ask.replication());
                accepted.add(ask);
                failuresInARow = 0;
            } catch (PinBackendException e) {
                // e.g. more copies than the cluster has peers: the others still get theirs; asked again next pass
                LOG.debugf("replication %d of %s not accepted by %s: %s", ask.replication(), ask.cid(), ask.node(),
                        e.getMessage());
                if (++failuresInARow >= MAX_FAILURES_IN_A_ROW) {
                    // not answering: start here again next round rather than wait out a timeout per pin
                    askAfter = accepted.isEmpty() ? from : accepted.getLast().cid();
                    LOG.infof("healing: %s did not accept new replications (%s); retried next round", ask.node(),
                            e.getMessage());
                    break;
                }
            }
        }
        if (accepted.isEmpty()) {
            return 0;
        }
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update placement p set replication_asked = s.r, copies_read_at = null
                        from unnest(?::text[], ?::text[], ?::int[]) s(cid, node, r)
                        where p.cid = s.cid and p.node = s.node""")) {
            q.setArray(1, c.createArrayOf("text", accepted.stream().map(Ask::cid).toArray()));
            q.setArray(2, c.createArrayOf("text", accepted.stream().map(Ask::node).toArray()));
            q.setArray(3, c.createArrayOf("integer", accepted.stream().map(Ask::replication).toArray()));
            q.executeUpdate();
        }
        return accepted.size();
    }

    /**
     * Reads again, on each target that replicates itself, the holders of the pins where they may have changed, the
     * longest unread first, and records them ({@code copy_peers}, {@code copies_read_at}): pins never read or just
     * asked for another R; pins with another number of holders than asked (capped by the answering peers), at most
     * once a heal interval while the target moves copies; and, after the target's answering peers changed, pins a
     * holder of which stopped answering. The calls are made with no transaction open.
     *
     * <p>The first kind is found through a partial index ({@code placement_holders_due}) that holds only rows not
     * known to match their replication, so a round costs nothing while the copies are as asked. Rows naming a peer
     * that stopped answering are not in it; they are looked for (one pass over the target's pins) only after the
     * answering peers changed, until a pass finds no more than it reads.
     */
    int readHolders() throws SQLException {
        if (!backend.replicatesItself()) {
            return 0;
        }
        int read = 0;
        for (String target : backend.targets()) {
            java.util.Set<String> live = registry.livePeers(target);
            if (live.isEmpty()) {
                continue; // not polled yet, or not answering: nothing to compare with, and no one to ask
            }
            if (!live.equals(answeringPeers.get(target))) {
                answeringPeers.put(target, java.util.Set.copyOf(live));
                lostHolderPending.add(target);
            }
            java.util.Set<String> due = new java.util.LinkedHashSet<>();
            try (Connection c = db.getConnection()) {
                try (PreparedStatement q = c.prepareStatement("""
                        select p.cid from placement p
                        where p.node = ? and p.state = 'pinned' and p.replication_asked is not null
                          and (p.copy_peers is null or p.copies_read_at is null
                               or cardinality(p.copy_peers) <> p.replication_asked)
                          and (p.copy_peers is null or p.copies_read_at is null
                               or (cardinality(p.copy_peers) <> least(p.replication_asked, ?)
                                   and p.copies_read_at < now() - make_interval(secs => ?)))
                        order by p.copies_read_at nulls first limit ?""")) {
                    q.setString(1, target);
                    q.setInt(2, live.size());
                    q.setDouble(3, config.healInterval().toMillis() / 1000.0);
                    q.setInt(4, MAX_HOLDER_READS);
                    try (ResultSet rs = q.executeQuery()) {
                        while (rs.next()) {
                            due.add(rs.getString(1));
                        }
                    }
                }
                if (lostHolderPending.contains(target) && due.size() < MAX_HOLDER_READS) {
                    int room = MAX_HOLDER_READS - due.size();
                    try (PreparedStatement q = c.prepareStatement("""
                            select p.cid from placement p
                            where p.node = ? and p.state = 'pinned' and not (p.copy_peers <@ ?::text[])
                            order by p.copies_read_at limit ?""")) {
                        q.setString(1, target);
                        q.setArray(2, c.createArrayOf("text", live.toArray()));
                        q.setInt(3, room);
                        int found = 0;
                        try (ResultSet rs = q.executeQuery()) {
                            while (rs.next()) {
                                due.add(rs.getString(1));
                                found++;
                            }
                        }
                        if (found < room) {
                            lostHolderPending.remove(target); // all found: this round reads them
                        }
                    }
                }
            }
            if (due.isEmpty()) {
                continue;
            }
            Map<String, List<String>> holders;
            try {
                holders = backend.holders(target, List.copyOf(due));
            } catch (PinBackendException e) {
                LOG.debugf("holders on %s not read: %s", target, e.getMessage());
                lostHolderPending.add(target);
                continue;
            }
            // A CID missing from the answer is stamped read all the same: it waits its turn again (and may still
            // name a holder that stopped answering, so that search goes on).
            if (holders.size() < due.size()) {
                lostHolderPending.add(target);
            }
            String[] peers = due.stream().map(cid -> holders.containsKey(cid) ? String.join(",", holders.get(cid)) : null)
                    .toArray(String[]::new);
            try (Connection c = db.getConnection();
                    PreparedStatement q = c.prepareStatement("""
                            update placement p set copies_read_at = now(),
                                   copy_peers = case when s.peers is null then p.copy_peers
                                                     else string_to_array(s.peers, ',') end
                            from unnest(?::text[], ?::text[]) s(cid, peers)
                            where p.node = ? and p.cid = s.cid and p.state = 'pinned'""")) {
                q.setArray(1, c.createArrayOf("text", due.toArray()));
                q.setArray(2, c.createArrayOf("text", peers));
                q.setString(3, target);
                read += q.executeUpdate();
            }
        }
        return read;
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
