package dev.atpin.dispatch;

import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.dispatch.backend.PinBackendException;
import dev.atpin.identity.net.OriginDials;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.TransactionPhase;
import java.net.InetAddress;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.function.LongConsumer;
import org.jboss.logging.Logger;

/**
 * Workers that drain the {@link PlacementQueue}: dial the request's origins from the placement's target, measure
 * the DAG against the quotas there, then pin it on the target through the {@link PinBackend} under our name
 * prefix, renewing the lease while blocks arrive.
 */
@ApplicationScoped
public class Dispatcher {

    private static final Logger LOG = Logger.getLogger(Dispatcher.class);
    private static final int MAX_ORIGINS_DIALLED = 20;

    private final PlacementQueue queue;
    private final SizeGate sizeGate;
    private final BackupRestorer restorer;
    private final PinBackend backend;
    private final AgroalDataSource db;
    private final DispatchConfig config;
    private final OriginDials originDials;
    private final NodeRegistry registry;
    private final String owner;
    /** Wake-ups for idle workers: one per new placement, one per poll tick, one after each successful claim. */
    private final Semaphore wake = new Semaphore(0);
    /** Claims that found work, and claims that found none (the price of waking a worker for nothing). */
    private final Counter claimed;
    private final Counter claimedNothing;
    private volatile boolean running;
    private ExecutorService workers;

    Dispatcher(PlacementQueue queue, SizeGate sizeGate, BackupRestorer restorer, PinBackend backend, AgroalDataSource db,
            DispatchConfig config, OriginDials originDials, NodeRegistry registry, MeterRegistry meters) {
        this.claimed = Counter.builder("atpin.dispatch.claims").tag("result", "claimed")
                .description("Placement claims by the pin workers, by whether they found work").register(meters);
        this.claimedNothing = Counter.builder("atpin.dispatch.claims").tag("result", "empty")
                .description("Placement claims by the pin workers, by whether they found work").register(meters);
        this.registry = registry;
        this.originDials = originDials;
        this.queue = queue;
        this.sizeGate = sizeGate;
        this.restorer = restorer;
        this.backend = backend;
        this.db = db;
        this.config = config;
        this.owner = config.instanceId().orElseGet(Dispatcher::hostname);
    }

    void onStart(@Observes StartupEvent event) throws SQLException {
        if (!config.enabled()) {
            return;
        }
        int resumed = queue.resumeOwn(owner);
        if (resumed > 0) {
            LOG.infof("Resuming %d pin(s) that were in flight before the restart", resumed);
        }
        running = true;
        // A worker spends nearly all its time waiting on Kubo, so virtual threads: many pins can be
        // in flight (slow, unfetchable CIDs must not starve the rest) at the cost of almost nothing.
        workers = Executors.newThreadPerTaskExecutor(Thread.ofVirtual().name("pin-worker-", 0).factory());
        for (int i = 0; i < config.workers(); i++) {
            // Each worker leases under its own name: a lease names exactly one in-flight pin's owner.
            String workerId = owner + "/w" + i;
            workers.submit(() -> work(workerId));
        }
        workers.submit(this::tick);
    }

    /**
     * Work that becomes due without anyone committing it (a retry after its backoff, a lease that expired on another
     * replica) is found by one claim per {@code atpin.dispatch.poll-interval}, not by every idle worker polling: the
     * woken worker wakes the next when it finds work ({@link #work}), so the due work still spreads over the workers.
     */
    private void tick() {
        while (running) {
            try {
                Thread.sleep(config.pollInterval());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            }
            wakeIdle(1);
        }
    }

    void onStop(@Observes ShutdownEvent event) throws InterruptedException {
        running = false;
        if (workers != null) {
            workers.shutdownNow();
            workers.awaitTermination(5, TimeUnit.SECONDS);
        }
    }

    /**
     * New work was committed: wake as many idle workers as there are new placements instead of waiting for the next
     * poll. Not all of them: every woken worker runs the claim (a transaction on the queue), and waking all 64 for a
     * POST that queued one placement cost 64 claims per accepted pin, 63 of them finding nothing.
     */
    void onWorkQueued(@Observes(during = TransactionPhase.AFTER_SUCCESS) ContentLedger.WorkQueued event) {
        wakeIdle(event.placements());
    }

    /**
     * Hands out up to {@code n} wake-ups, never more than there are workers: a wake-up nobody takes at once (every
     * worker busy) costs one claim later, so their number is bounded by the workers, not by the work queued meanwhile.
     */
    private void wakeIdle(int n) {
        int room = config.workers() - wake.availablePermits();
        if (room > 0 && n > 0) {
            wake.release(Math.min(n, room));
        }
    }

    private void work(String workerId) {
        while (running) {
            try {
                if (!running) {
                    return;
                }
                Optional<PlacementQueue.Claim> claim = queue.claim(workerId);
                if (claim.isPresent()) {
                    claimed.increment();
                    // There may be more: one more worker looks, and wakes the next when it finds some, so a deep
                    // queue (a restore after a node loss) spreads over the idle workers without waking them all
                    // for every placement; once the queue is empty the chain stops after one empty claim.
                    wakeIdle(1);
                    pin(claim.get());
                } else {
                    claimedNothing.increment();
                    wake.acquire();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return;
            } catch (Exception e) {
                if (!running) {
                    return;
                }
                LOG.warn("pin worker iteration failed", e);
                sleepQuietly();
            }
        }
    }

    private void pin(PlacementQueue.Claim claim) throws SQLException {
        if (!backend.targets().contains(claim.node())) {
            // A node registered on another replica may be placed on before our health poll read its registration.
            backend.refreshTargets();
        }
        if (!backend.targets().contains(claim.node())) {
            queue.attemptFailed(claim, "node " + claim.node() + " is no longer configured");
            return;
        }
        KuboClient kubo = backend.fetcher(claim.node());
        LongConsumer renew = leaseRenewer(claim);
        List<String> origins = dialOrigins(kubo, claim.cid(), renew);
        long started = System.nanoTime();
        try {
            if (!admitOrRestore(claim, kubo, renew)) {
                return;
            }
            int replication = replicationOf(claim.cid());
            List<String> holders = backend.pin(claim.node(), claim.cid(), config.pinNamePrefix() + claim.cid(),
                    replication, origins, renew);
            if (backend.replicatesItself()) {
                queue.pinnedOnPeers(claim, holders, replication);
            } else {
                queue.pinned(claim);
            }
            LOG.debugf("pinned %s on %s in %d ms", claim.cid(), claim.node(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        } catch (KuboException | PinBackendException e) {
            LOG.debugf("pin of %s on %s failed (attempt %d): %s", claim.cid(), claim.node(), claim.attempt(),
                    e.getMessage());
            queue.attemptFailed(claim, e.getMessage());
        }
    }

    /**
     * Measures the DAG against the quotas (fetching it). When the network cannot deliver it and a
     * pin record carries a backup blob, the content is rebuilt from the blob and measured again.
     */
    private boolean admitOrRestore(PlacementQueue.Claim claim, KuboClient kubo, LongConsumer renew)
            throws SQLException, KuboException {
        try {
            return sizeGate.admit(claim, kubo, renew);
        } catch (KuboException unreachable) {
            if (restorer.restore(claim.cid(), kubo).isEmpty()) {
                throw unreachable;
            }
            return sizeGate.admit(claim, kubo, renew);
        }
    }

    /** Renews the claim's lease on progress, at most three times per lease period. */
    private LongConsumer leaseRenewer(PlacementQueue.Claim claim) {
        long[] lastRenew = {System.nanoTime()};
        return progress -> {
            if (System.nanoTime() - lastRenew[0] > config.lease().toNanos() / 3) {
                lastRenew[0] = System.nanoTime();
                try {
                    queue.renew(claim, progress);
                } catch (SQLException e) {
                    LOG.warn("could not renew a pin lease", e);
                }
            }
        };
    }

    /**
     * Origins are a hint: each is dialled best-effort, and a failure never fails the pin. Users choose them, so
     * {@link OriginDials} resolves and checks each (the one address policy) and Kubo dials only IP literals.
     *
     * @return the vetted origin multiaddrs, for a backend that hands them on (IPFS Cluster's {@code origins})
     */
    private List<String> dialOrigins(KuboClient kubo, String cid, LongConsumer renew) {
        List<String> vetted = new ArrayList<>();
        // A peer usually announces several addresses (tcp, quic, ip4, ip6) and clients send them all: once one of
        // them connected, the others would only ask Kubo again for a connection it has (one RPC call per address
        // and pin).
        Set<String> connected = new HashSet<>();
        for (String origin : originsOf(cid)) {
            for (String dialable : originDials.dialable(origin, config.dialPrivateOrigins())) {
                vetted.add(dialable);
                String peer = peerOf(dialable);
                if (peer != null && connected.contains(peer)) {
                    continue;
                }
                // Twenty slow origins take longer than a lease: keep it while dialling.
                renew.accept(0);
                try {
                    kubo.swarmConnect(dialable, config.originDialTimeout());
                    if (peer != null) {
                        connected.add(peer);
                    }
                } catch (KuboException | IllegalArgumentException e) {
                    LOG.debugf("origin %s not reachable from %s: %s", dialable, kubo.name(), e.getMessage());
                }
            }
        }
        // A new copy (re-replication after a node loss, a drain) is fetched fastest from our own nodes that
        // hold it, whether or not the tenant's origins are still online. Our nodes' addresses come from the
        // nodes themselves (or the operator's announce list), not from users: no address policy to apply.
        for (String holder : holdersOf(cid, kubo.name())) {
            for (String addr : registry.delegatesOf(holder)) {
                renew.accept(0);
                try {
                    kubo.swarmConnect(addr, config.originDialTimeout());
                    break;
                } catch (KuboException | IllegalArgumentException e) {
                    LOG.debugf("node %s not reachable from %s at %s: %s", holder, kubo.name(), addr, e.getMessage());
                }
            }
        }
        return vetted;
    }

    /** The peer ID a multiaddr ends with ({@code .../p2p/<id>}), or null when it names none. */
    static String peerOf(String multiaddr) {
        int at = multiaddr.lastIndexOf("/p2p/");
        if (at < 0) {
            return null;
        }
        String peer = multiaddr.substring(at + "/p2p/".length());
        int slash = peer.indexOf('/');
        return slash < 0 ? peer : peer.substring(0, slash);
    }

    /** The content's replication R, for a backend that keeps the copies itself (IPFS Cluster). */
    private int replicationOf(String cid) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select replication from content where cid = ?")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Math.max(1, rs.getInt(1)) : Math.max(1, config.replication());
            }
        }
    }

    /**
     * Other answering nodes with a pinned copy of {@code cid}. After a node loss its rows stay {@code pinned} until
     * the new copies are (never below R): dialling the lost node for each of them would only wait for refusals.
     */
    private List<String> holdersOf(String cid, String except) {
        List<String> holders = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select p.node from placement p join node n on n.name = p.node
                        where p.cid = ? and p.state = 'pinned' and p.node <> ? and n.healthy and n.state <> 'down'
                        limit 3""")) {
            q.setString(1, cid);
            q.setString(2, except);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    holders.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            LOG.warn("could not read the content's holders", e);
        }
        return holders;
    }

    private List<String> originsOf(String cid) {
        List<String> origins = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select distinct o from pin_request, unnest(origins) o where cid = ? limit ?""")) {
            q.setString(1, cid);
            q.setInt(2, MAX_ORIGINS_DIALLED);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    origins.add(rs.getString(1));
                }
            }
        } catch (SQLException e) {
            LOG.warn("could not read origins", e);
        }
        return origins;
    }

    static String hostname() {
        String host = System.getenv("HOSTNAME");
        if (host != null && !host.isBlank()) {
            return host;
        }
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (java.net.UnknownHostException e) {
            return "atpin";
        }
    }

    private static void sleepQuietly() {
        try {
            Thread.sleep(1000);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
