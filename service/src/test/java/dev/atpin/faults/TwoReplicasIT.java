package dev.atpin.faults;

import dev.atpin.testing.AdvisoryLockHolders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.ipld.Cid;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PsaClient;
import dev.atpin.testing.ServiceProcess;
import dev.atpin.testing.UsageRecount;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas of the packaged service on one PostgreSQL, both serving and both dispatching, under load:
 * no pin is dispatched twice (each replica logs every pin it completes: each content appears once over both
 * logs), each content is on exactly one node, and a pin-count quota is exact when 100 writers race for it
 * through both replicas at once. Each node is reconciled by one replica at a time (the reconciler's advisory lock
 * per node, seen in {@code pg_locks}), and when the replica holding it is killed the other takes over.
 */
class TwoReplicasIT {

    private static final int PINS = 500;
    private static final int WRITERS = 100;
    private static final int QUOTA = 50;
    private static final Pattern PINNED = Pattern.compile("pinned (\\S+) on (\\S+) in \\d+ ms");

    private static EmbeddedPostgres postgres;
    private static KuboDaemon nodeA;
    private static KuboDaemon nodeB;
    private static final List<ServiceProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-replicas-pg-").resolve("data"), 0, false);
        nodeA = KuboDaemon.start("replicas-node-a");
        nodeB = KuboDaemon.start("replicas-node-b");
        nodeA.connect(nodeB);
        Map<String, String> env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "ATPIN_KUBO_NODES_LOCAL_RPC_URL", nodeA.apiUrl(),
                "ATPIN_KUBO_NODES_B_RPC_URL", nodeB.apiUrl(),
                "ATPIN_AUTH_KEY_DIR", Files.createTempDirectory("atpin-replicas-keys-").toString(),
                "ATPIN_ACCOUNTS_PLANS_FREE_MAX_PINS", "100000",
                "ATPIN_ACCOUNTS_PLANS_FREE_RATE_LIMIT", "1000000",
                // every completed pin is logged (debug): the evidence that none ran twice
                "QUARKUS_LOG_CATEGORY__DEV_ATPIN_DISPATCH__LEVEL", "DEBUG"));
        // both replicas try to reconcile every node every second, so that they really compete for it
        env.put("ATPIN_DISPATCH_RECONCILE_INTERVAL", "1s");
        env.put("ATPIN_DISPATCH_RECONCILE_DELAY", "1s");
        // the first one migrates the schema; the second starts on it
        replicas.add(ServiceProcess.create("replica-1", env).start(Duration.ofMinutes(4)));
        replicas.add(ServiceProcess.create("replica-2", env).start(Duration.ofMinutes(4)));
    }

    @AfterAll
    static void stopStack() throws IOException {
        replicas.forEach(ServiceProcess::stop);
        for (KuboDaemon node : new KuboDaemon[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    private static PsaClient[] clients(String did) {
        String token = replicas.get(0).mintToken(did, "read,write");
        return replicas.stream().map(r -> new PsaClient(r.baseUrl(), token)).toArray(PsaClient[]::new);
    }

    private static Set<String> ours(Map<String, String> pins) {
        Set<String> out = new HashSet<>();
        pins.forEach((cid, name) -> {
            if (name.startsWith("atpin:")) {
                out.add(cid);
            }
        });
        return out;
    }

    @Test
    void bothReplicasDispatchButNoPinRunsTwice() throws Exception {
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < PINS; i++) {
            files.add(("two replicas, content " + i).getBytes(StandardCharsets.UTF_8));
        }
        List<String> cids = nodeA.addUnpinned(files);
        assertThat(nodeB.addUnpinned(files)).isEqualTo(cids);
        PsaClient[] psa = clients("did:plc:tworeplicasdispatchaaaaa");

        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<Integer>> posts = new ArrayList<>();
        for (int i = 0; i < PINS; i++) {
            int n = i;
            posts.add(pool.submit(() -> psa[n % 2].pin(cids.get(n), "replicas-" + n).status()));
        }
        for (Future<Integer> post : posts) {
            assertThat(post.get()).isEqualTo(202);
        }
        pool.shutdown();
        Awaitility.await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(psa[1].get("/psa/pins?status=pinned&limit=1").json().path("count").asInt()).isEqualTo(PINS));

        Map<String, Integer> runs = new HashMap<>();
        Map<String, Integer> perReplica = new HashMap<>();
        for (ServiceProcess replica : replicas) {
            Matcher m = PINNED.matcher(Files.readString(replica.log()));
            while (m.find()) {
                runs.merge(m.group(1), 1, Integer::sum);
                perReplica.merge(replica.name(), 1, Integer::sum);
            }
        }
        System.out.printf("MEASURED two replicas: %d pins posted alternately to both, %d completed pins logged, by replica %s%n",
                PINS, runs.values().stream().mapToInt(Integer::intValue).sum(), perReplica);
        // the logs also hold the pins of the other test in this class: none of those may run twice either
        assertThat(runs.keySet()).containsAll(cids);
        assertThat(runs).as("no pin dispatched twice").allSatisfy((cid, n) -> assertThat(n).as(cid).isEqualTo(1));
        assertThat(perReplica).as("both replicas dispatch").hasSize(2);
        // only our pins (named with the prefix): Kubo itself pins the empty directory on both
        Set<String> onA = ours(nodeA.recursivePins());
        Set<String> both = new HashSet<>(ours(nodeB.recursivePins()));
        both.retainAll(onA);
        assertThat(both).as("replication 1: no content on both nodes").isEmpty();
        Set<String> pinned = new HashSet<>(onA);
        pinned.addAll(ours(nodeB.recursivePins()));
        assertThat(pinned).containsAll(cids);
    }

    @Test
    void aPinQuotaIsExactWhenAHundredWritersRaceThroughBothReplicas() throws Exception {
        String did = "did:plc:tworeplicasquotaaaaaaaaaa";
        PsaClient[] psa = clients(did);
        try (Connection c = DriverManager.getConnection(EmbeddedDatabase.jdbcUrl(postgres), "postgres", "postgres");
                PreparedStatement q = c.prepareStatement("update account set max_pins = ? where did = ?")) {
            q.setLong(1, QUOTA);
            q.setString(2, did);
            assertThat(q.executeUpdate()).isEqualTo(1);
        }
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            files.add(("quota race, content " + i).getBytes(StandardCharsets.UTF_8));
        }
        List<String> cids = nodeA.addUnpinned(files);

        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        CountDownLatch go = new CountDownLatch(1);
        ConcurrentLinkedQueue<PsaClient.Answer> answers = new ConcurrentLinkedQueue<>();
        List<Future<?>> writers = new ArrayList<>();
        for (int i = 0; i < WRITERS; i++) {
            int n = i;
            writers.add(pool.submit(() -> {
                go.await();
                answers.add(psa[n % 2].pin(cids.get(n), "quota-" + n));
                return null;
            }));
        }
        go.countDown();
        for (Future<?> w : writers) {
            w.get();
        }
        pool.shutdown();

        long accepted = answers.stream().filter(a -> a.status() == 202).count();
        List<PsaClient.Answer> refused = answers.stream().filter(a -> a.status() != 202).toList();
        System.out.printf("MEASURED quota race over two replicas: %d writers, %d accepted, %d refused (quota %d)%n",
                WRITERS, accepted, refused.size(), QUOTA);
        assertThat(accepted).isEqualTo(QUOTA);
        assertThat(refused).hasSize(WRITERS - QUOTA).allMatch(a -> a.status() == 409 && a.isFailureShape()
                && a.json().path("error").path("reason").asText().equals("INSUFFICIENT_FUNDS"));
        assertThat(psa[0].get("/psa/pins?status=queued,pinning,pinned,failed&limit=1").json().path("count").asInt())
                .isEqualTo(QUOTA);
        assertThat(UsageRecount.mismatches(EmbeddedDatabase.jdbcUrl(postgres))).as("usage counters = recount").isZero();
    }

    /**
     * Kills the replica that holds a node's reconciler lock in the middle of a pass and times how long the other
     * one takes to hold it. The reconciler takes its lock per pass and releases it after, so the two replicas may
     * take turns: what must never happen is two passes over one node at once. To catch a pass while it runs, the
     * test locks the node's placement rows: the next pass takes the advisory lock, then waits on those rows
     * inside it, so it stays visible in {@code pg_locks} for as long as the test wants.
     */
    @Test
    void eachNodeIsReconciledByOneReplicaAtATimeAndTheOtherTakesOverWhenTheHolderIsKilled() throws Exception {
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            files.add(("reconciler lock, content " + i).getBytes(StandardCharsets.UTF_8));
        }
        List<String> cids = nodeA.addUnpinned(files);
        nodeB.addUnpinned(files);
        PsaClient[] psa = clients("did:plc:tworeplicasreconcileaaaa");
        for (int i = 0; i < cids.size(); i++) {
            assertThat(psa[i % 2].pin(cids.get(i), "reconcile-" + i).status()).isEqualTo(202);
        }
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(psa[0].get("/psa/pins?status=pinned&limit=1").json().path("count").asInt())
                        .isEqualTo(cids.size()));

        String jdbc = EmbeddedDatabase.jdbcUrl(postgres);
        try (Connection observer = DriverManager.getConnection(jdbc, "postgres", "postgres");
                Connection blocker = DriverManager.getConnection(jdbc, "postgres", "postgres")) {
            String node = nodeOf(observer, cids.getFirst());
            blocker.setAutoCommit(false);
            try (PreparedStatement q = blocker.prepareStatement("select 1 from placement where node = ? for update")) {
                q.setString(1, node);
                q.executeQuery().close();
            }

            int blockerPid = backendPid(blocker);
            // a pass that began before the rows were locked may still finish and let go: wait for one that is stuck
            String holder = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(20))
                    .until(() -> stuckReconcileLockHolder(observer, node, blockerPid), Optional::isPresent)
                    .orElseThrow();
            // Both replicas try every second: for 3 s the one in the pass keeps the node, the other skips it.
            long until = System.nanoTime() + Duration.ofSeconds(3).toNanos();
            while (System.nanoTime() < until) {
                assertThat(reconcileLockHolders(observer, node)).as("holders of %s's reconciler lock", node)
                        .containsExactly(holder);
                Thread.sleep(50);
            }

            ServiceProcess victim = replicas.stream().filter(r -> holder.equals("atpin@" + r.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("the lock is held by " + holder + ", not by a replica"));
            ServiceProcess survivor = replicas.stream().filter(r -> r != victim).findFirst().orElseThrow();
            long killedAt = System.nanoTime();
            victim.kill();
            String next = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(20))
                    .until(() -> reconcileLockHolder(observer, node), h -> h.isPresent() && !h.get().equals(holder))
                    .orElseThrow();
            long takeoverMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            System.out.printf("MEASURED reconciler takeover: %s held node %s's lock mid-pass, killed (-9); %s held it "
                    + "%d ms later%n", victim.name(), node, survivor.name(), takeoverMs);
            assertThat(next).isEqualTo("atpin@" + survivor.name());
            assertThat(reconcileLockHolders(observer, node)).containsExactly(next);
            blocker.rollback();

            // the replica comes back, so that the other tests here run on two replicas whatever their order
            victim.restart(Duration.ofMinutes(4));
        }
    }

    private static int backendPid(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select pg_backend_pid()"); ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    /** The holder of the node's reconciler lock when one of its connections waits for a lock {@code pid} holds. */
    private static Optional<String> stuckReconcileLockHolder(Connection c, String node, int pid) throws SQLException {
        Optional<String> holder = reconcileLockHolder(c, node);
        if (holder.isEmpty()) {
            return holder;
        }
        try (PreparedStatement q = c.prepareStatement(
                "select 1 from pg_stat_activity where application_name = ? and ? = any(pg_blocking_pids(pid))")) {
            q.setString(1, holder.get());
            q.setInt(2, pid);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? holder : Optional.empty();
            }
        }
    }

    private static String nodeOf(Connection c, String cid) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "select node from placement where cid = ? and state = 'pinned' limit 1")) {
            q.setString(1, Cid.parse(cid).normalized());
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("a pinned placement of %s", cid).isTrue();
                return rs.getString(1);
            }
        }
    }

    /** {@code Reconciler}'s key for a node's lock. */
    private static final String RECONCILE_LOCK = "hashtextextended('atpin reconcile ' || ?, 0)";

    private static Optional<String> reconcileLockHolder(Connection c, String node) throws SQLException {
        return AdvisoryLockHolders.single(c, RECONCILE_LOCK, node);
    }

    private static List<String> reconcileLockHolders(Connection c, String node) throws SQLException {
        return AdvisoryLockHolders.of(c, RECONCILE_LOCK, node);
    }
}
