package dev.atpin.faults;

import dev.atpin.testing.AdvisoryLockHolders;
import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.ipld.Cid;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PsaClient;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Two replicas on one PostgreSQL follow a real PDS's firehose: exactly one of them holds the upstream's advisory
 * lock ({@code watcher.UpstreamLocks}, seen in {@code pg_locks}) and consumes it; when that one is killed (-9) the
 * other takes the lock over, and a pin record created after the takeover becomes exactly one pin request,
 * dispatched once.
 *
 * <p>Its own class (not {@link TwoReplicasIT}): it needs the reference PDS and an enrolled repo, and it kills a
 * replica for good.
 */
class OneFirehoseConsumerPerUpstreamIT {

    private static final String ENROLLMENT = "dev.atpin.enrollment";
    private static final String PIN = "dev.atpin.pin";
    private static final Pattern PINNED = Pattern.compile("pinned (\\S+) on (\\S+) in \\d+ ms");

    private static EmbeddedPostgres postgres;
    private static KuboDaemon node;
    private static PdsServer pds;
    private static final List<ServiceProcess> replicas = new ArrayList<>();

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-firehose-pg-").resolve("data"), 0, false);
        node = KuboDaemon.start("firehose-leader-node");
        PdsServer.install();
        pds = PdsServer.start();
        // one key dir for both, as replicas of one deployment share it: a token minted once works on either
        Path keys = Files.createTempDirectory("atpin-firehose-keys-");
        Map<String, String> env = new HashMap<>(Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "ATPIN_KUBO_NODES_LOCAL_RPC_URL", node.apiUrl(),
                // the PDS and its PLC run on loopback over http: the development flag allows exactly that
                "ATPIN_IDENTITY_ALLOW_INSECURE_LOCAL", "true",
                "ATPIN_IDENTITY_PLC_URL", pds.plcUrl(),
                "ATPIN_IDENTITY_DEV_HANDLE_RESOLVER", pds.pdsUrl(),
                "ATPIN_WATCHER_RECONNECT_DELAY", "500ms",
                "ATPIN_WATCHER_CURSOR_SAVE_INTERVAL", "1s",
                // every completed pin is logged (debug): the evidence that the record's pin ran once
                "QUARKUS_LOG_CATEGORY__DEV_ATPIN_DISPATCH__LEVEL", "DEBUG"));
        env.put("ATPIN_AUTH_KEY_DIR", keys.resolve("auth").toString());
        env.put("ATPIN_OAUTH_KEY_DIR", keys.resolve("oauth").toString());
        replicas.add(ServiceProcess.create("firehose-1", env).start(Duration.ofMinutes(4)));
        replicas.add(ServiceProcess.create("firehose-2", env).start(Duration.ofMinutes(4)));
    }

    @AfterAll
    static void stopStack() {
        replicas.forEach(ServiceProcess::stop);
        if (pds != null) {
            pds.close();
        }
        if (node != null) {
            node.close();
        }
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // its temp dir goes with the machine
            }
        }
    }

    @Test
    void oneReplicaConsumesTheUpstreamAndAfterItIsKilledTheOtherAppliesANewRecordExactlyOnce() throws Exception {
        PdsServer.Account user = pds.createAccount("leader");
        pds.createRecord(user, ENROLLMENT, "self", Map.of("service", "did:web:localhost",
                "createdAt", Instant.now().toString()));
        String token = replicas.getFirst().mintToken(user.did(), "read,write");
        PsaClient[] api = replicas.stream().map(r -> new PsaClient(r.baseUrl(), token)).toArray(PsaClient[]::new);
        assertThat(api[0].post("/api/v1/watcher/enrollment").status()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(api[0].get("/api/v1/watcher/status").json().path("state").asText()).isEqualTo("active"));

        try (Connection observer = DriverManager.getConnection(EmbeddedDatabase.jdbcUrl(postgres), "postgres",
                "postgres")) {
            String upstream = upstreamOf(observer, user.did());
            String leader = Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50))
                    .until(() -> lockHolder(observer, upstream), Optional::isPresent).orElseThrow();
            // Both supervise every 2 s: for 5 s the leader keeps the upstream and the other never gets it too.
            long until = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (System.nanoTime() < until) {
                assertThat(lockHolders(observer, upstream)).as("holders of %s's firehose lock", upstream)
                        .containsExactly(leader);
                Thread.sleep(100);
            }
            // the leader really consumes: a record before the kill becomes a pin
            String before = content("before the kill");
            putPinRecord(user, before);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
                    .untilAsserted(() -> assertThat(statusOf(api[1], before)).isEqualTo("pinned"));

            ServiceProcess victim = replicas.stream().filter(r -> leader.equals("atpin@" + r.name())).findFirst()
                    .orElseThrow(() -> new AssertionError("the lock is held by " + leader + ", not by a replica"));
            ServiceProcess survivor = replicas.stream().filter(r -> r != victim).findFirst().orElseThrow();
            PsaClient survivorApi = new PsaClient(survivor.baseUrl(), token);
            long killedAt = System.nanoTime();
            victim.kill();
            String next = Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(50))
                    .until(() -> lockHolder(observer, upstream), h -> h.isPresent() && !h.get().equals(leader))
                    .orElseThrow();
            long takeoverMs = Duration.ofNanos(System.nanoTime() - killedAt).toMillis();
            assertThat(next).isEqualTo("atpin@" + survivor.name());

            String after = content("after the takeover");
            long createdAt = System.nanoTime();
            putPinRecord(user, after);
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200))
                    .untilAsserted(() -> assertThat(statusOf(survivorApi, after)).isEqualTo("pinned"));
            long appliedMs = Duration.ofNanos(System.nanoTime() - createdAt).toMillis();
            System.out.printf("MEASURED firehose takeover: %s followed %s, killed (-9); %s held its lock %d ms later; "
                    + "a record created then was pinned %d ms after its creation%n", victim.name(), upstream,
                    survivor.name(), takeoverMs, appliedMs);

            // Replays (the survivor starts from the last saved cursor, behind the victim) change nothing: give
            // them a few supervise and cursor-save rounds, then each record is still exactly one request.
            Thread.sleep(Duration.ofSeconds(5));
            for (String cid : List.of(before, after)) {
                assertThat(survivorApi.get("/psa/pins?cid=" + cid + "&status=queued,pinning,pinned,failed")
                        .json().path("count").asInt()).as("requests for %s", cid).isEqualTo(1);
                assertThat(requestRows(observer, user.did(), cid)).as("request rows for %s", cid).isEqualTo(1);
            }
            assertThat(pinnedLogLines(Cid.parse(after).normalized())).as("dispatches of the new record's pin")
                    .isEqualTo(1);
            assertThat(lockHolders(observer, upstream)).containsExactly(next);
        }
    }

    private static String content(String text) {
        return node.addUnpinned(List.of((text + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8)))
                .getFirst();
    }

    private static void putPinRecord(PdsServer.Account user, String cid) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("name", "firehose leader");
        record.put("createdAt", Instant.now().toString());
        pds.createRecord(user, PIN, Cid.parse(cid).normalized(), record);
    }

    private static String statusOf(PsaClient api, String cid) {
        PsaClient.Answer answer = api.get("/psa/pins?cid=" + cid + "&status=queued,pinning,pinned,failed");
        assertThat(answer.status()).as("listing: %s", answer.body()).isEqualTo(200);
        if (answer.json().path("count").asInt() == 0) {
            return "none";
        }
        return answer.json().path("results").get(0).path("status").asText();
    }

    /** Completed pins of the content over both replicas' logs. */
    private static int pinnedLogLines(String cid) throws IOException {
        int n = 0;
        for (ServiceProcess replica : replicas) {
            Matcher m = PINNED.matcher(Files.readString(replica.log()));
            while (m.find()) {
                if (m.group(1).equals(cid)) {
                    n++;
                }
            }
        }
        return n;
    }

    private static String upstreamOf(Connection c, String did) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select rtrim(pds_url, '/') from watched_repo where did = ?")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                assertThat(rs.next()).as("watched_repo row of %s", did).isTrue();
                return rs.getString(1);
            }
        }
    }

    private static long requestRows(Connection c, String did, String cid) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "select count(*) from pin_request where did = ? and cid = ?")) {
            q.setString(1, did);
            q.setString(2, Cid.parse(cid).normalized());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** {@code UpstreamLocks}' key, the same the admin API's watcher overview reads. */
    private static final String FIREHOSE_LOCK = "hashtextextended('atpin-firehose:' || ?, 7)";

    private static Optional<String> lockHolder(Connection c, String upstream) throws SQLException {
        return AdvisoryLockHolders.single(c, FIREHOSE_LOCK, upstream);
    }

    private static List<String> lockHolders(Connection c, String upstream) throws SQLException {
        return AdvisoryLockHolders.of(c, FIREHOSE_LOCK, upstream);
    }
}
