package dev.atpin.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.db.EmbeddedDatabase;
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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
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
 * through both replicas at once.
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
}
