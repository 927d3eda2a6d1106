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
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * kill -9 of the service while it dispatches 1,000 accepted pins to two real Kubo nodes, then a restart:
 * every request ends pinned, each content is pinned under our prefix on exactly one node (replication 1:
 * no duplicate), no pin of ours is left that no request explains (no orphan), and the usage counters equal
 * a recount from the requests.
 */
class KillDuringDispatchIT {

    private static final int PINS = 1000;
    private static final String PREFIX = "atpin:";

    private static EmbeddedPostgres postgres;
    private static KuboDaemon nodeA;
    private static KuboDaemon nodeB;
    private static ServiceProcess service;
    private static PsaClient psa;

    private static Map<String, String> env;

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-kill-pg-").resolve("data"), 0, false);
        nodeA = KuboDaemon.start("kill-node-a");
        nodeB = KuboDaemon.start("kill-node-b");
        nodeA.connect(nodeB);
        env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "ATPIN_KUBO_NODES_LOCAL_RPC_URL", nodeA.apiUrl(),
                "ATPIN_KUBO_NODES_B_RPC_URL", nodeB.apiUrl(),
                // both processes sign and check tokens with the same key
                "ATPIN_AUTH_KEY_DIR", Files.createTempDirectory("atpin-kill-keys-").toString(),
                "ATPIN_ACCOUNTS_PLANS_FREE_MAX_PINS", "100000",
                "ATPIN_ACCOUNTS_PLANS_FREE_RATE_LIMIT", "1000000"));
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (service != null) {
            service.kill();
        }
        for (KuboDaemon node : new KuboDaemon[] {nodeA, nodeB}) {
            if (node != null) {
                node.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aKillDuringDispatchOfAThousandPinsEndsWithAllPinnedOnceAndExactUsage() throws Exception {
        List<byte[]> files = new ArrayList<>();
        for (int i = 0; i < PINS; i++) {
            files.add(("kill -9 during dispatch, content " + i).getBytes(StandardCharsets.UTF_8));
        }
        // The blocks are on both nodes, unpinned: whichever node a placement picks pins without fetching.
        List<String> cids = nodeA.addUnpinned(files);
        assertThat(nodeB.addUnpinned(files)).isEqualTo(cids);

        // The 1,000 requests are accepted first by a replica that does not dispatch, so that all of them are
        // queued when the dispatching one is killed.
        Map<String, String> acceptOnly = new HashMap<>(env);
        acceptOnly.put("ATPIN_DISPATCH_ENABLED", "false");
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        try (ServiceProcess acceptor = ServiceProcess.create("kill-acceptor", acceptOnly).start()) {
            psa = new PsaClient(acceptor.baseUrl(), acceptor.mintToken("did:plc:killduringdispatchaaaaaaa", "read,write"));
            ExecutorService clients = Executors.newFixedThreadPool(8);
            List<Future<?>> posts = new ArrayList<>();
            for (int i = 0; i < PINS; i++) {
                String cid = cids.get(i);
                int n = i;
                posts.add(clients.submit(() -> {
                    PsaClient.Answer a = psa.pin(cid, "kill-" + n);
                    assertThat(a.status()).as(a.body()).isEqualTo(202);
                    accepted.add(a.json().path("requestid").asText());
                }));
            }
            for (Future<?> post : posts) {
                post.get();
            }
            clients.shutdown();
        }
        assertThat(accepted).hasSize(PINS);
        assertThat(ourPins()).isEmpty();

        service = ServiceProcess.create("kill-service", env).start();
        psa = new PsaClient(service.baseUrl(), psa.token());
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                .until(() -> ourPins().size() >= 20);
        service.kill();
        long killedAt = System.nanoTime();
        int pinnedAtKill = ourPins().size();
        assertThat(pinnedAtKill).as("killed while dispatching, not after").isLessThan(PINS);

        service.restart(Duration.ofMinutes(2));
        long readyAt = System.nanoTime();
        for (String id : accepted) {
            assertThat(psa.get("/psa/pins/" + id).status()).as("accepted %s", id).isEqualTo(200);
        }
        Awaitility.await().atMost(Duration.ofMinutes(4)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(psa.get("/psa/pins?status=pinned&limit=1").json().path("count").asInt()).isEqualTo(PINS));
        long allPinnedAt = System.nanoTime();
        System.out.printf("MEASURED kill -9 during dispatch: %d accepted, %d pinned on Kubo at the kill;"
                        + " restart ready in %d ms; all %d pinned %d ms after the kill%n",
                accepted.size(), pinnedAtKill, ms(readyAt - killedAt), PINS, ms(allPinnedAt - killedAt));

        Map<String, String> onA = ours(nodeA.recursivePins());
        Map<String, String> onB = ours(nodeB.recursivePins());
        Set<String> both = new HashSet<>(onA.keySet());
        both.retainAll(onB.keySet());
        assertThat(both).as("replication 1: no content pinned on both nodes").isEmpty();
        Set<String> pinnedCids = new HashSet<>(onA.keySet());
        pinnedCids.addAll(onB.keySet());
        assertThat(pinnedCids).as("every content pinned, and no pin of ours that no request explains")
                .containsExactlyInAnyOrderElementsOf(cids);
        Set<String> ids = new HashSet<>();
        psaIds(ids);
        assertThat(ids).as("exactly the accepted requests, none doubled").isEqualTo(accepted);
        assertThat(UsageRecount.mismatches(EmbeddedDatabase.jdbcUrl(postgres))).as("usage counters = recount").isZero();
    }

    private static void psaIds(Set<String> into) {
        String before = null;
        while (true) {
            var results = psa.get("/psa/pins?status=queued,pinning,pinned,failed&limit=1000"
                    + (before == null ? "" : "&before=" + java.net.URLEncoder.encode(before, StandardCharsets.UTF_8))).json()
                    .path("results");
            if (results.isEmpty()) {
                return;
            }
            for (var r : results) {
                into.add(r.path("requestid").asText());
                before = r.path("created").asText();
            }
        }
    }

    private static Map<String, String> ourPins() {
        Map<String, String> all = new HashMap<>(ours(nodeA.recursivePins()));
        all.putAll(ours(nodeB.recursivePins()));
        return all;
    }

    private static Map<String, String> ours(Map<String, String> pins) {
        Map<String, String> out = new HashMap<>();
        pins.forEach((cid, name) -> {
            if (name.startsWith(PREFIX)) {
                out.put(cid, name);
            }
        });
        return out;
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }
}
