package dev.atpin.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.FastDispatch;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicInteger;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * A three-node Kubo cluster that heals itself, with the packaged service and real daemons: every content lands
 * on exactly R nodes; a node killed with -9 has its contents re-replicated while the service stays ready, and
 * when it returns our surplus copies go while a foreign pin stays; a plan upgrade re-replicates; the largest
 * replication of the tenants wanting a content wins and shrinks back when that tenant leaves; a drain moves
 * contents off without ever dropping below R. Every wait is bounded.
 */
class SelfHealingIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String OPERATOR = "did:plc:healingoperatoraaaaaaaaaa";
    private static final List<String> NAMES = List.of("alpha", "beta", "gamma");
    private static final Duration HEAL_WITHIN = Duration.ofSeconds(90);

    private static EmbeddedPostgres postgres;
    private static final Map<String, KuboDaemon> nodes = new LinkedHashMap<>();
    private static KuboDaemon origin;
    private static ServiceProcess service;
    private static String operatorToken;
    private static final AtomicInteger tenants = new AtomicInteger();

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-heal-pg-").resolve("data"), 0, false);
        for (String name : NAMES) {
            nodes.put(name, KuboDaemon.startRestartable("heal-" + name));
        }
        origin = KuboDaemon.start("heal-origin");
        connectAll();
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        nodes.forEach((name, node) -> env.put("ATPIN_KUBO_NODES_" + name.toUpperCase() + "_RPC_URL", node.apiUrl()));
        env.put("ATPIN_ACCOUNTS_OPERATORS", OPERATOR);
        env.put("ATPIN_ACCOUNTS_PLANS_WIDE_REPLICATION", "3");
        env.putAll(FastDispatch.env());
        service = ServiceProcess.create("heal-service", env);
        service.start();
        operatorToken = service.mintToken(OPERATOR, "read,write,admin");
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (service != null) {
            service.stop();
        }
        nodes.values().forEach(KuboDaemon::close);
        if (origin != null) {
            origin.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aKilledNodesContentsGetBackToTwoCopiesWhileTheServiceStaysReadyAndSurplusGoesWhenItReturns()
            throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 6);
        awaitCopies(cids, 2);

        // The victim holds copies, and a pin of its own operator's that is none of our business.
        String victimName = NAMES.stream().max((a, b) -> Long.compare(ours(a, cids), ours(b, cids))).orElseThrow();
        KuboDaemon victim = nodes.get(victimName);
        String foreign = victim.add(random(1_500));
        assertThat(victim.recursivePins().get(foreign)).doesNotStartWith("atpin:");

        AtomicInteger notReady = new AtomicInteger();
        victim.kill();
        Awaitility.await().atMost(HEAL_WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            if (service.status("/q/health/ready") != 200) {
                notReady.incrementAndGet();
            }
            for (String cid : cids) {
                assertThat(holders(cid)).as(cid).hasSize(2).doesNotContain(victimName);
            }
        });
        assertThat(notReady.get()).as("readiness failures while a node was down").isZero();
        assertThat(node(victimName).path("state").asText()).isEqualTo("down");

        victim.restart();
        connectAll();
        Awaitility.await().atMost(HEAL_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            assertThat(node(victimName).path("state").asText()).isEqualTo("active");
            for (String cid : cids) {
                assertThat(ourCopies(cid)).as(cid).isEqualTo(2);
            }
        });
        assertThat(victim.recursivePins()).containsKey(foreign);
        assertThat(service.status("/q/health/ready")).isEqualTo(200);
    }

    @Test
    void aTenantUpgradedFromOneToTwoCopiesGetsItsContentsReReplicated() throws Exception {
        String did = "did:plc:healupgrade" + tenants.incrementAndGet() + "aaaaaaaaaaaa";
        String token = service.mintToken(did, "read,write");
        List<String> cids = pinSome(token, 4);
        awaitCopies(cids, 1);
        admin("PATCH", "/admin/v1/accounts/" + did, "{\"plan\":\"pro\"}");
        awaitCopies(cids, 2);
    }

    @Test
    void theLargestReplicationOfTheTenantsWantingAContentWinsAndShrinksBackWhenThatTenantLeaves()
            throws Exception {
        String one = tenant("free");
        String three = tenant("wide");
        String cid = origin.add(random(2_000));
        pin(one, cid);
        String wide = pin(three, cid);
        awaitCopies(List.of(cid), 3);
        HttpResponse<String> gone = send("DELETE", "/psa/pins/" + wide, three, null);
        assertThat(gone.statusCode()).as(gone.body()).isEqualTo(202);
        awaitCopies(List.of(cid), 1);
    }

    @Test
    void drainingANodeMovesItsContentsOffWithoutEverDroppingBelowTwoCopies() throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 5);
        awaitCopies(cids, 2);
        String drained = NAMES.stream().max((a, b) -> Long.compare(ours(a, cids), ours(b, cids))).orElseThrow();
        assertThat(ours(drained, cids)).isPositive();
        admin("POST", "/admin/v1/nodes/" + drained + "/drain", "{\"reason\":\"test\"}");
        try {
            Awaitility.await().atMost(HEAL_WITHIN).pollInterval(Duration.ofMillis(200)).untilAsserted(() -> {
                for (String cid : cids) {
                    // pinned copies anywhere, counted from the nodes themselves: never below R during the move
                    assertThat(ourCopies(cid)).as("copies of " + cid + " during the drain").isGreaterThanOrEqualTo(2);
                }
                assertThat(ours(drained, cids)).isZero();
            });
            for (String cid : cids) {
                assertThat(holders(cid)).hasSize(2).doesNotContain(drained);
            }
        } finally {
            admin("POST", "/admin/v1/nodes/" + drained + "/activate", null);
        }
    }

    @Test
    void driftIsRepairedBothWaysAndAForeignPinIsLeftAlone() throws Exception {
        String token = tenant("pro");
        List<String> cids = pinSome(token, 2);
        awaitCopies(cids, 2);
        String lost = cids.getFirst();
        String holderName = holders(lost).getFirst();
        KuboDaemon holder = nodes.get(holderName);
        // Behind the service's back: one of our pins removed, and a pin of the node's operator added.
        holder.rpc("pin/rm", "arg=" + lost);
        String foreign = holder.add(random(1_700));
        assertThat(holders(lost)).doesNotContain(holderName);
        Awaitility.await().atMost(HEAL_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() ->
                assertThat(holders(lost)).contains(holderName).hasSize(2));
        assertThat(holder.recursivePins()).containsKey(foreign);
        assertThat(ourCopies(cids.getLast())).isEqualTo(2);
    }

    // --- helpers

    private static void connectAll() {
        List<KuboDaemon> all = new ArrayList<>(nodes.values());
        all.add(origin);
        for (int i = 0; i < all.size(); i++) {
            for (int j = i + 1; j < all.size(); j++) {
                try {
                    all.get(i).connect(all.get(j));
                } catch (IllegalStateException e) {
                    // a node being killed: the others still connect
                }
            }
        }
    }

    /** A fresh tenant on {@code plan} and its token. */
    private static String tenant(String plan) throws Exception {
        String did = "did:plc:heal" + plan + tenants.incrementAndGet() + "aaaaaaaaaaaaaaa";
        String token = service.mintToken(did, "read,write");
        if (!plan.equals("free")) {
            admin("PATCH", "/admin/v1/accounts/" + did, "{\"plan\":\"" + plan + "\"}");
        }
        return token;
    }

    private static List<String> pinSome(String token, int n) throws Exception {
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < n; i++) {
            String cid = origin.add(random(2_000 + i));
            pin(token, cid);
            cids.add(cid);
        }
        return cids;
    }

    private static String pin(String token, String cid) throws Exception {
        String body = JSON.writeValueAsString(Map.of("cid", cid, "origins", origin.swarmAddresses()));
        HttpResponse<String> r = send("POST", "/psa/pins", token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("requestid").asText();
    }

    private static void awaitCopies(List<String> cids, int copies) {
        Awaitility.await().atMost(HEAL_WITHIN).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (String cid : cids) {
                assertThat(ourCopies(cid)).as("copies of " + cid).isEqualTo(copies);
            }
        });
    }

    /** Nodes (alive) holding our pin of {@code cid}. */
    private static List<String> holders(String cid) {
        List<String> out = new ArrayList<>();
        nodes.forEach((name, node) -> {
            try {
                String pinName = node.recursivePins().get(cid);
                if (pinName != null && pinName.startsWith("atpin:")) {
                    out.add(name);
                }
            } catch (IllegalStateException e) {
                // killed: holds nothing we can count on
            }
        });
        return out;
    }

    private static long ourCopies(String cid) {
        return holders(cid).size();
    }

    private static long ours(String node, List<String> cids) {
        Map<String, String> pins = nodes.get(node).recursivePins();
        return cids.stream().filter(c -> pins.getOrDefault(c, "").startsWith("atpin:")).count();
    }

    private static JsonNode node(String name) throws Exception {
        HttpResponse<String> r = send("GET", "/admin/v1/nodes/" + name, operatorToken, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return JSON.readTree(r.body());
    }

    private static void admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, operatorToken, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30)).header("Authorization", "Bearer " + token);
        if (body == null && !method.equals("GET") && !method.equals("DELETE")) {
            body = "{}";
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }
}
