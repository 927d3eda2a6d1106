package dev.atpin.pins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.accounts.Quotas;
import dev.atpin.api.ApiException;
import dev.atpin.db.Jdbc;
import dev.atpin.db.Retry;
import dev.atpin.dispatch.ContentLedger;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Event;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * Group commit of {@code POST /pins} (ADR 0111): adds that arrive together — of one tenant or of
 * many — are written in one transaction, and each request still gets its 202 only after that
 * transaction committed. The quota stays exact because the transaction holds the row locks of the
 * accounts it admits for (in DID order, like every writer), and decides each request in arrival
 * order under them; a refused request fails alone.
 *
 * <p>No background thread: a request thread that finds fewer than {@code atpin.pins.committers}
 * transactions in flight becomes a committer and writes whatever is queued (its own add among
 * them); the others wait for their result. A transaction carries 6 statements however many adds it
 * holds (lock the tenants, count their pins, hand out {@code created}, upsert the contents, place new
 * contents, insert the requests), where one add alone took a dozen.
 *
 * <p>A tenant's adds are written by one committer at a time: a second group of the same tenant would
 * only wait for the first on its account row, so the other committers take other tenants' adds and the
 * tenant's next adds gather into its next group.
 *
 * <p>When a group fails on something other than a conflict, each add is written alone, so one
 * bad request never fails the others.
 */
@ApplicationScoped
public class PinAdmissions {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final AgroalDataSource db;
    private final Quotas quotas;
    private final ContentLedger ledger;
    private final PinStore store;
    private final PinViews views;
    private final PinsConfig config;
    private final Event<ContentLedger.WorkQueued> workQueued;
    private final ConcurrentLinkedQueue<Pending> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger committing = new AtomicInteger();
    /** Tenants whose adds a committer of this replica is writing now. */
    private final Set<String> busyTenants = ConcurrentHashMap.newKeySet();
    /** Adds per group-commit transaction: how much folding the load allows (1 = none). */
    private final DistributionSummary groupSize;
    /** Groups that failed as a whole and were written add by add. */
    private final Counter groupFallbacks;
    /** Group-commit transactions run again after a deadlock or serialization failure. */
    private final Counter groupRetries;

    PinAdmissions(AgroalDataSource db, Quotas quotas, ContentLedger ledger, PinStore store, PinViews views,
            PinsConfig config, Event<ContentLedger.WorkQueued> workQueued, MeterRegistry metrics) {
        this.db = db;
        this.quotas = quotas;
        this.ledger = ledger;
        this.store = store;
        this.views = views;
        this.config = config;
        this.workQueued = workQueued;
        this.groupSize = DistributionSummary.builder("atpin.pins.add.group.size")
                .description("Adds written per group-commit transaction").register(metrics);
        this.groupFallbacks = Counter.builder("atpin.pins.add.group.fallbacks")
                .description("Group-commit transactions that failed as a whole and were retried add by add").register(metrics);
        this.groupRetries = Counter.builder("atpin.pins.add.group.retries")
                .description("Group-commit transactions run again after a deadlock or serialization failure").register(metrics);
    }

    private record Pending(String did, ValidPin pin, UUID id, Thread waiter, CompletableFuture<PinStatusDto> result,
            AtomicBoolean taken) {}

    /** Adds one request for {@code did}; returns its status once committed, or throws its refusal. */
    public PinStatusDto add(String did, ValidPin pin) throws Exception {
        Pending mine = new Pending(did, pin, UUID.randomUUID(), Thread.currentThread(), new CompletableFuture<>(),
                new AtomicBoolean());
        queue.add(mine);
        while (!mine.result().isDone()) {
            if (!commitNextGroup()) {
                // Another committer has (or will take) our add: it unparks us when done. The timeout
                // is only a safety net.
                LockSupport.parkNanos(this, TimeUnit.MILLISECONDS.toNanos(20));
            }
        }
        try {
            return mine.result().get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof Exception cause) {
                throw cause;
            }
            throw e;
        }
    }

    /** Becomes a committer if there is room and commits one group; false when there was nothing to do. */
    private boolean commitNextGroup() {
        if (committing.incrementAndGet() > Math.max(1, config.committers())) {
            committing.decrementAndGet();
            return false;
        }
        List<Pending> group = new ArrayList<>();
        Set<String> mine = new HashSet<>();
        try {
            takeGroup(group, mine);
            if (!group.isEmpty()) {
                commit(group);
            }
        } finally {
            busyTenants.removeAll(mine);
            committing.decrementAndGet();
            // Whoever waits first may now find a free committer slot, or its tenant free again. Only after a
            // group: an attempt that found nothing to take freed nothing, and waking the next waiter for it made
            // the waiters of a busy tenant wake each other in a loop (a core burnt for one tenant's burst).
            Pending next = queue.peek();
            if (next != null && !group.isEmpty()) {
                LockSupport.unpark(next.waiter());
            }
        }
        return !group.isEmpty();
    }

    /**
     * Takes queued adds, in arrival order, of tenants no other committer of this replica is writing: two groups
     * of one tenant would only wait for each other on its account row (holding a connection each, and halving
     * both groups), where the second one now takes the adds of other tenants, and the first tenant's next adds
     * wait here to go into one group together.
     */
    private void takeGroup(List<Pending> group, Set<String> mine) {
        for (Iterator<Pending> it = queue.iterator(); it.hasNext() && group.size() < config.maxBatch(); ) {
            Pending p = it.next();
            if (!mine.contains(p.did())) {
                if (!busyTenants.add(p.did())) {
                    continue; // another committer writes this tenant: its later adds stay queued, in order
                }
                mine.add(p.did());
            }
            // The queue's iterator may still hand out an add another committer took a moment ago: the flag decides.
            if (p.taken().compareAndSet(false, true)) {
                it.remove();
                group.add(p);
            }
        }
    }

    private void commit(List<Pending> group) {
        List<Object> outcomes;
        int[] queued = {0};
        int[] attempts = {0};
        try {
            outcomes = Retry.onConflict(() -> {
                if (attempts[0]++ > 0) {
                    groupRetries.increment();
                }
                return Jdbc.inTransaction(db, c -> write(c, group, queued));
            });
        } catch (Exception e) {
            if (group.size() > 1) {
                groupFallbacks.increment();
                group.forEach(p -> commit(List.of(p)));
            } else {
                finish(group.getFirst(), e);
            }
            return;
        }
        groupSize.record(group.size());
        if (queued[0] > 0) {
            workQueued.fire(new ContentLedger.WorkQueued(queued[0]));
        }
        for (int k = 0; k < group.size(); k++) {
            finish(group.get(k), outcomes.get(k));
        }
    }

    private static void finish(Pending p, Object outcome) {
        if (outcome instanceof PinStatusDto status) {
            p.result().complete(status);
        } else if (outcome instanceof Throwable t) {
            p.result().completeExceptionally(t);
        } else {
            p.result().completeExceptionally(new IllegalStateException("no outcome for " + p.id()));
        }
        LockSupport.unpark(p.waiter());
    }

    /**
     * The group's transaction; returns, per add in order, its status or its refusal, and leaves in {@code queued[0]}
     * about how many placements it queued (the workers to wake).
     */
    private List<Object> write(Connection c, List<Pending> group, int[] queued) throws SQLException {
        Object[] outcomes = new Object[group.size()];
        Map<String, Quotas.Tenant> tenants = quotas.lockAll(c, group.stream().map(Pending::did).distinct().toList());
        List<Integer> admitted = new ArrayList<>();
        Map<String, Integer> perTenant = new TreeMap<>();
        for (int k = 0; k < group.size(); k++) {
            Pending p = group.get(k);
            Optional<ApiException> refusal = tenants.get(p.did()).admitOne();
            if (refusal.isPresent()) {
                outcomes[k] = refusal.get();
            } else {
                admitted.add(k);
                perTenant.merge(p.did(), 1, Integer::sum);
            }
        }
        if (admitted.isEmpty()) {
            return List.of(outcomes);
        }
        Map<String, Instant> next = createdStarts(c, perTenant);
        // Contents in CID order, each with how many new references and the replication it needs.
        TreeMap<String, int[]> contents = new TreeMap<>();
        for (int k : admitted) {
            Pending p = group.get(k);
            int replication = ledger.replicationFor(tenants.get(p.did()).limits().replication());
            contents.merge(p.pin().cid().normalized(), new int[] {1, replication},
                    (a, b) -> new int[] {a[0] + b[0], Math.max(a[1], b[1])});
        }
        Map<String, Wanted> wanted = upsertContents(c, contents);
        Map<String, List<String>> placements = placeNew(c, wanted);
        queued[0] = placements.values().stream().mapToInt(List::size).sum();
        List<String> existing = new ArrayList<>();
        for (Map.Entry<String, Wanted> w : wanted.entrySet()) {
            if (!w.getValue().inserted()) {
                existing.add(w.getKey());
                String settled = ledger.settle(c, w.getKey());
                if (settled != null) {
                    queued[0] += contents.get(w.getKey())[1]; // about its replication's worth of placements
                    wanted.put(w.getKey(), new Wanted(settled, w.getValue().size(), false));
                }
            }
        }
        List<PinRequest> rows = new ArrayList<>(admitted.size());
        for (int k : admitted) {
            Pending p = group.get(k);
            String cid = p.pin().cid().normalized();
            Instant created = next.get(p.did());
            next.put(p.did(), created.plusMillis(1));
            rows.add(new PinRequest(p.id(), p.did(), cid, p.pin().cidInput(), p.pin().name(), p.pin().meta(),
                    p.pin().origins(), wanted.get(cid).status(), created, PinRequest.SOURCE_API, null, null, false, null));
        }
        insert(c, rows);
        // Known sizes are charged at once (the accounts and contents are locked, as charge() requires).
        List<UUID> reread = new ArrayList<>();
        for (PinRequest r : rows) {
            Wanted w = wanted.get(r.cid());
            if (w.size() != null) {
                quotas.chargeNew(c, r.did(), r.id(), w.size());
            }
            if (!w.inserted()) {
                reread.add(r.id());
            }
        }
        Map<UUID, PinRequest> views = new HashMap<>();
        rows.forEach(r -> views.put(r.id(), r));
        if (!reread.isEmpty()) {
            for (String did : perTenant.keySet()) {
                store.findAll(c, did, reread).forEach(r -> views.put(r.id(), r));
            }
            placements.putAll(store.placements(c, existing));
        }
        Map<String, PinStore.Replicas> replicas = store.replicas(c, new ArrayList<>(wanted.keySet()));
        for (int k : admitted) {
            outcomes[k] = this.views.of(List.of(views.get(group.get(k).id())), placements, replicas).getFirst();
        }
        return List.of(outcomes);
    }

    /**
     * Hands out {@code count} consecutive {@code created} values per tenant (unique per tenant, the
     * paging cursor): returns the first of each run; the account row is already locked.
     */
    private static Map<String, Instant> createdStarts(Connection c, Map<String, Integer> perTenant) throws SQLException {
        Map<String, Instant> out = new HashMap<>();
        try (PreparedStatement q = c.prepareStatement("""
                update account a set last_created = greatest(date_trunc('milliseconds', clock_timestamp()),
                                                             a.last_created + interval '1 millisecond')
                                                    + (v.n - 1) * interval '1 millisecond'
                from unnest(?::text[], ?::int[]) v(did, n)
                where a.did = v.did
                returning a.did, a.last_created, v.n""")) {
            q.setArray(1, c.createArrayOf("text", perTenant.keySet().toArray()));
            q.setArray(2, c.createArrayOf("integer", perTenant.values().toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    Instant last = rs.getObject(2, OffsetDateTime.class).toInstant();
                    out.put(rs.getString(1), last.minusMillis(rs.getInt(3) - 1L));
                }
            }
        }
        return out;
    }

    /** What a content looks like once the group wants it: its status, its size if known, whether it is new. */
    private record Wanted(String status, Long size, boolean inserted) {}

    private static Map<String, Wanted> upsertContents(Connection c, TreeMap<String, int[]> contents) throws SQLException {
        Map<String, Wanted> out = new LinkedHashMap<>();
        Integer[] refs = new Integer[contents.size()];
        Integer[] replication = new Integer[contents.size()];
        int i = 0;
        for (int[] v : contents.values()) {
            refs[i] = v[0];
            replication[i++] = v[1];
        }
        // In CID order, so that two groups lock contents in the same order.
        try (PreparedStatement q = c.prepareStatement("""
                insert into content (cid, refcount, replication)
                select cid, refs, replication from unnest(?::text[], ?::int[], ?::int[]) v(cid, refs, replication)
                order by cid
                on conflict (cid) do update set refcount = content.refcount + excluded.refcount, released_at = null,
                                                replication = greatest(content.replication, excluded.replication)
                returning cid, status, size_bytes, xmax = 0""")) {
            q.setArray(1, c.createArrayOf("text", contents.keySet().toArray()));
            q.setArray(2, c.createArrayOf("integer", refs));
            q.setArray(3, c.createArrayOf("integer", replication));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Wanted(rs.getString(2), (Long) rs.getObject(3), rs.getBoolean(4)));
                }
            }
        }
        return out;
    }

    /** Places every new content on its replication's worth of nodes ({@code Placements}); returns the nodes by CID. */
    private static Map<String, List<String>> placeNew(Connection c, Map<String, Wanted> wanted) throws SQLException {
        List<String> fresh = wanted.entrySet().stream().filter(e -> e.getValue().inserted()).map(Map.Entry::getKey).toList();
        Map<String, List<String>> out = new HashMap<>();
        if (fresh.isEmpty()) {
            return out;
        }
        out.putAll(dev.atpin.dispatch.Placements.placeMissing(c, fresh));
        return out;
    }

    private static void insert(Connection c, List<PinRequest> rows) throws SQLException {
        int n = rows.size();
        Object[] ids = new Object[n];
        String[] dids = new String[n];
        String[] cids = new String[n];
        String[] inputs = new String[n];
        String[] names = new String[n];
        String[] metas = new String[n];
        String[] origins = new String[n];
        String[] statuses = new String[n];
        OffsetDateTime[] created = new OffsetDateTime[n];
        for (int k = 0; k < n; k++) {
            PinRequest r = rows.get(k);
            ids[k] = r.id();
            dids[k] = r.did();
            cids[k] = r.cid();
            inputs[k] = r.cidInput();
            names[k] = r.name();
            metas[k] = json(r.meta());
            origins[k] = json(r.origins());
            statuses[k] = r.status();
            created[k] = r.created().atOffset(ZoneOffset.UTC);
        }
        try (PreparedStatement q = c.prepareStatement("""
                insert into pin_request (id, did, cid, cid_input, name, meta, origins, status, created, source)
                select id, did, cid, cid_input, name, meta::jsonb,
                       array(select jsonb_array_elements_text(origins::jsonb)), status, created, 'api'
                from unnest(?::uuid[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[], ?::text[],
                            ?::timestamptz[]) v(id, did, cid, cid_input, name, meta, origins, status, created)""")) {
            q.setArray(1, c.createArrayOf("uuid", ids));
            q.setArray(2, c.createArrayOf("text", dids));
            q.setArray(3, c.createArrayOf("text", cids));
            q.setArray(4, c.createArrayOf("text", inputs));
            q.setArray(5, c.createArrayOf("text", names));
            q.setArray(6, c.createArrayOf("text", metas));
            q.setArray(7, c.createArrayOf("text", origins));
            q.setArray(8, c.createArrayOf("text", statuses));
            q.setArray(9, c.createArrayOf("timestamptz", created));
            q.executeUpdate();
        }
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
