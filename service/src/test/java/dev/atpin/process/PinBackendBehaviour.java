package dev.atpin.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * What every {@code PinBackend} must do, run against the packaged service on real daemons, once per backend (one
 * subclass each): a pin from an origin reaches {@code pinned}; an unpinned content goes after the grace period; a
 * replaced pin gets its new content and releases the old; replication 2 puts each content on exactly two of three
 * nodes or peers, which the tenant reads as {@code replicas_pinned} 2 with those daemons as delegates; a change of R
 * reaches the backend within a few heal intervals with reconciliation held off; a lost node or peer (kill -9) is
 * replaced until each content has two copies again. Copies are counted on the Kubo daemons themselves, never taken
 * from the service. Every wait is bounded.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class PinBackendBehaviour {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    static final Duration WITHIN = Duration.ofSeconds(90);
    private static final String OPERATOR = "did:plc:behaviouroperatoraaaaaaa";

    private EmbeddedPostgres postgres;
    private KuboDaemon origin;
    private ServiceProcess service;
    private final AtomicInteger tenants = new AtomicInteger();

    /** Starts the backend's daemons (three Kubo nodes, or three cluster peers) and adds its settings to {@code env}. */
    abstract void startDaemons(Map<String, String> env);

    abstract void stopDaemons();

    /** The Kubo daemons that hold copies, to connect the origin to. */
    abstract List<KuboDaemon> kubos();

    /** Names of the live nodes or peers whose Kubo holds a copy of {@code cid} (a recursive pin the service made). */
    abstract Set<String> holders(String cid);

    /** Kills (-9) a node or peer that holds some of {@code cids}, one the service can do without; returns its name. */
    abstract String killOneHolding(List<String> cids);

    @BeforeAll
    void startStack() throws IOException {
        String name = getClass().getSimpleName().toLowerCase();
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-" + name + "-pg-").resolve("data"), 0, false);
        Map<String, String> env = new LinkedHashMap<>();
        startDaemons(env);
        origin = KuboDaemon.start(name + "-origin");
        connectOrigin();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("ATPIN_ACCOUNTS_OPERATORS", OPERATOR);
        env.putAll(dev.atpin.testing.FastDispatch.env());
        // twice the others' 10 s, as this class has had it since it first ran both backends
        env.put(dev.atpin.testing.FastDispatch.NO_PROGRESS_TIMEOUT.variable(), "20s");
        service = ServiceProcess.create(name + "-service", env);
        service.start();
    }

    @AfterAll
    void stopStack() {
        if (service != null) {
            service.stop();
        }
        stopDaemons();
        if (origin != null) {
            origin.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the temp directory goes with the run
            }
        }
    }

    @Test
    @Order(1)
    void aPinFromAnOriginReachesPinned() throws Exception {
        String token = tenant("free");
        String cid = origin.add(random(3_000));
        String request = pin(token, cid);
        awaitStatus(token, request, "pinned");
        assertThat(holders(cid)).isNotEmpty();
    }

    @Test
    @Order(2)
    void anUnpinnedContentIsReleasedAfterTheGracePeriod() throws Exception {
        String token = tenant("free");
        String cid = origin.add(random(3_100));
        String request = pin(token, cid);
        awaitStatus(token, request, "pinned");
        HttpResponse<String> gone = send("DELETE", "/psa/pins/" + request, token, null);
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(202);
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(holders(cid)).as("holders of " + cid).isEmpty());
    }

    @Test
    @Order(3)
    void aReplacedPinGetsItsNewContentAndReleasesTheOld() throws Exception {
        String token = tenant("free");
        String before = origin.add(random(3_200));
        String request = pin(token, before);
        awaitStatus(token, request, "pinned");
        String after = origin.add(random(3_300));
        HttpResponse<String> replaced = send("POST", "/psa/pins/" + request, token, pinBody(after));
        assertThat(replaced.statusCode()).as(replaced.body()).isEqualTo(202);
        String replacement = JSON.readTree(replaced.body()).path("requestid").asText();
        awaitStatus(token, replacement, "pinned");
        assertThat(holders(after)).isNotEmpty();
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(holders(before)).as("holders of the replaced " + before).isEmpty());
    }

    @Test
    @Order(4)
    void replicationTwoPutsEachContentOnExactlyTwoOfThree() throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 4);
        awaitCopies(cids, 2);
    }

    /**
     * R follows the plan: Kubo-direct places the second copies itself; IPFS Cluster, which got R=1 with the pins, is
     * asked for the new replication factors (the healer compares the replication each pin was asked for with the
     * content's R).
     */
    @Test
    @Order(5)
    void aTenantUpgradedFromOneToTwoCopiesGetsTheSecondCopies() throws Exception {
        String did = "did:plc:behaveupgrade" + tenants.incrementAndGet() + "aaaaaaaaaaaaa";
        String token = service.mintToken(did, "read,write");
        List<String> cids = pinSome(token, 3);
        awaitCopies(cids, 1);
        String operator = service.mintToken(OPERATOR, "read,write,admin");
        HttpResponse<String> r = send("PATCH", "/admin/v1/accounts/" + did, operator, "{\"plan\":\"pro\"}");
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        awaitCopies(cids, 2);
    }

    /**
     * What a tenant reads of a content on two copies: {@code replicas_pinned} 2 of {@code replicas_wanted} 2 (with
     * IPFS Cluster the one placement counts the peers that hold it), and delegates naming exactly the daemons that
     * hold it (with IPFS Cluster those peers, not every peer of the cluster).
     */
    @Test
    @Order(6)
    void twoCopiesReadAsTwoReplicasPinnedWithTheirHoldersAsDelegates() throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 2);
        List<String> requests = requestsOf(token, cids);
        awaitCopies(cids, 2);
        for (int i = 0; i < cids.size(); i++) {
            String cid = cids.get(i);
            String request = requests.get(i);
            Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
                JsonNode pin = JSON.readTree(send("GET", "/psa/pins/" + request, token, null).body());
                assertThat(pin.path("info").path("replicas_pinned").asText()).as(pin.toString()).isEqualTo("2");
                assertThat(pin.path("info").path("replicas_wanted").asText()).as(pin.toString()).isEqualTo("2");
                Set<String> delegatePeers = new java.util.HashSet<>();
                pin.path("delegates").forEach(d -> delegatePeers.add(d.asText().substring(d.asText().lastIndexOf("/p2p/") + 5)));
                assertThat(delegatePeers).as(pin.toString()).isEqualTo(peersHolding(cid));
            });
        }
    }

    /**
     * A change of a content's R reaches the backend within a few heal intervals, not at the next reconciliation: the
     * test holds every target's reconciliation lock (as a replica busy reconciling a large pinset would), so only the
     * healer can act. A second tenant with a larger plan wants the contents (1 → 2 copies), leaves them (2 → 1), and
     * the first tenant is upgraded (1 → 2).
     */
    @Test
    @Order(7)
    void aChangeOfReplicationReachesTheBackendWithinAFewHealIntervals() throws Exception {
        String first = "did:plc:behavechange" + tenants.incrementAndGet() + "aaaaaaaaaaaaa";
        String token = service.mintToken(first, "read,write");
        List<String> cids = pinSome(token, 2);
        List<String> requests = requestsOf(token, cids);
        awaitCopies(cids, 1);
        try (Connection lock = DriverManager.getConnection(EmbeddedDatabase.jdbcUrl(postgres), "postgres", "postgres")) {
            holdReconciliation(lock);
            String bigger = tenant("pro");
            List<String> biggerRequests = new ArrayList<>();
            for (String cid : cids) {
                biggerRequests.add(pin(bigger, cid));
            }
            long took = awaitReplication(token, requests, cids, 2);
            for (String request : biggerRequests) {
                assertThat(send("DELETE", "/psa/pins/" + request, bigger, null).statusCode()).isEqualTo(202);
            }
            took = Math.max(took, awaitReplication(token, requests, cids, 1));
            String operator = service.mintToken(OPERATOR, "read,write,admin");
            HttpResponse<String> r = send("PATCH", "/admin/v1/accounts/" + first, operator, "{\"plan\":\"pro\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            took = Math.max(took, awaitReplication(token, requests, cids, 2));
            System.out.printf("%s: a change of R reached the backend, copies and replicas_pinned in at most %d ms%n",
                    getClass().getSimpleName(), took);
        }
    }

    /** Last: it leaves the stack one node or peer short. */
    @Test
    @Order(9)
    void aLostPeerIsReplacedUntilEveryContentHasTwoCopiesAgain() throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 4);
        awaitCopies(cids, 2);
        String victim = killOneHolding(cids);
        long killedAt = System.nanoTime();
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (String cid : cids) {
                assertThat(holders(cid)).as("holders of " + cid).hasSize(2).doesNotContain(victim);
            }
        });
        // The figure the issue asks about, per backend (a handful of contents here; loadtests/ scales it up).
        System.out.printf("%s: %d contents back to 2 copies %d ms after kill -9 of %s%n", getClass().getSimpleName(),
                cids.size(), Duration.ofNanos(System.nanoTime() - killedAt).toMillis(), victim);
        // and the tenant reads them: the lost node or peer no longer counts, the new one does
        awaitReplication(token, requestsOf(token, cids), cids, 2);
        assertThat(service.status("/q/health/ready")).isEqualTo(200);
    }

    // --- helpers

    /** Within this bound (a few heal intervals) of an R change, the copies and the tenant's view follow it. */
    private static final Duration WITHIN_HEAL_INTERVALS = Duration.ofSeconds(20);

    /** Takes, on {@code session}, the advisory lock of every target's reconciliation: no replica reconciles then. */
    private static void holdReconciliation(Connection session) throws Exception {
        try (Statement q = session.createStatement()) {
            q.execute("select pg_advisory_lock(hashtextextended('atpin reconcile ' || name, 0)) from node");
        }
    }

    /** Waits until every content has {@code copies} copies and the tenant reads them; returns how long it took. */
    private long awaitReplication(String token, List<String> requests, List<String> cids, int copies) {
        long started = System.nanoTime();
        Awaitility.await().atMost(WITHIN_HEAL_INTERVALS).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int i = 0; i < cids.size(); i++) {
                assertThat(holders(cids.get(i))).as("holders of " + cids.get(i)).hasSize(copies);
                JsonNode pin = JSON.readTree(send("GET", "/psa/pins/" + requests.get(i), token, null).body());
                assertThat(pin.path("info").path("replicas_wanted").asText()).as(pin.toString())
                        .isEqualTo(Integer.toString(copies));
                assertThat(pin.path("info").path("replicas_pinned").asText()).as(pin.toString())
                        .isEqualTo(Integer.toString(copies));
            }
        });
        return Duration.ofNanos(System.nanoTime() - started).toMillis();
    }

    /** The peer IDs of the daemons that hold a recursive pin of {@code cid}. */
    private Set<String> peersHolding(String cid) {
        Set<String> out = new java.util.HashSet<>();
        for (KuboDaemon kubo : kubos()) {
            if (kubo.recursivePins().containsKey(cid)) {
                out.add(kubo.peerId());
            }
        }
        return out;
    }

    /** The request IDs of the tenant's pins of {@code cids}, in their order. */
    private List<String> requestsOf(String token, List<String> cids) throws Exception {
        List<String> out = new ArrayList<>();
        for (String cid : cids) {
            JsonNode page = JSON.readTree(send("GET", "/psa/pins?cid=" + cid, token, null).body());
            out.add(page.path("results").get(0).path("requestid").asText());
        }
        return out;
    }

    void connectOrigin() {
        for (KuboDaemon kubo : kubos()) {
            try {
                origin.connect(kubo);
            } catch (IllegalStateException e) {
                // killed: the others still connect
            }
        }
    }

    private String tenant(String plan) throws Exception {
        String did = "did:plc:behave" + plan + tenants.incrementAndGet() + "aaaaaaaaaaaaa";
        String token = service.mintToken(did, "read,write");
        if (!plan.equals("free")) {
            String operator = service.mintToken(OPERATOR, "read,write,admin");
            HttpResponse<String> r = send("PATCH", "/admin/v1/accounts/" + did, operator, "{\"plan\":\"" + plan + "\"}");
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        }
        return token;
    }

    private List<String> pinSome(String token, int n) throws Exception {
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String cid = origin.add(random(2_000 + i));
            pin(token, cid);
            cids.add(cid);
        }
        return cids;
    }

    private String pin(String token, String cid) throws Exception {
        HttpResponse<String> r = send("POST", "/psa/pins", token, pinBody(cid));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("requestid").asText();
    }

    private String pinBody(String cid) throws IOException {
        return JSON.writeValueAsString(Map.of("cid", cid, "origins", origin.swarmAddresses()));
    }

    private void awaitStatus(String token, String request, String status) {
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            HttpResponse<String> r = send("GET", "/psa/pins/" + request, token, null);
            JsonNode pin = JSON.readTree(r.body());
            assertThat(pin.path("status").asText()).as(r.body()).isEqualTo(status);
        });
    }

    private void awaitCopies(List<String> cids, int copies) {
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String cid : cids) {
                assertThat(holders(cid)).as("holders of " + cid).hasSize(copies);
            }
        });
    }

    private HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    static byte[] random(int size) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }
}
