package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.endsWith;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.Test;

/**
 * Nodes as operators see them: each node's state, peer ID and space read from the node itself, one node by
 * name, and drain/activate, which only admins may do and which is audited; a Kubo node registered through the
 * admin API is polled and placed on like a configured one, and removed only once drained and empty.
 */
@QuarkusTest
class NodesAdminTest {

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";

    @Inject
    TokenService tokens;

    // One token per scope set for the whole class: an account holds at most 50 live tokens.
    private static final Map<Set<Scope>, String> TOKENS = new ConcurrentHashMap<>();

    private RequestSpecification operator(Set<Scope> scopes) {
        String token = TOKENS.computeIfAbsent(scopes, s -> tokens.mint(OPERATOR, "operator", s, Optional.empty()).token());
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    private RequestSpecification admin() {
        return operator(Set.of(Scope.READ, Scope.WRITE, Scope.ADMIN));
    }

    @Test
    void everyNodeIsListedWithItsStatePeerIdAndSpaceReadFromTheNode() {
        admin().get("/admin/v1/nodes").then().statusCode(200)
                .body("name", hasItems(TestStack.CLUSTER.toArray()));
        for (String name : TestStack.CLUSTER) {
            KuboDaemon node = KuboDaemon.attach(name);
            var view = admin().get("/admin/v1/nodes/" + name).then().statusCode(200)
                    .body("state", equalTo("active"))
                    .body("healthy", equalTo(true))
                    .body("peerId", equalTo(node.peerId()))
                    .body("placements", notNullValue())
                    .extract().jsonPath();
            long max = ((Number) view.get("storageMaxBytes")).longValue();
            long used = ((Number) view.get("repoSizeBytes")).longValue();
            assertThat(used).isPositive();
            assertThat(max).isGreaterThan(used);
            assertThat(((Number) view.get("freeBytes")).longValue()).isEqualTo(max - used);
        }
        admin().get("/admin/v1/nodes/no-such-node").then().statusCode(404).body("error.reason", notNullValue());
    }

    @Test
    void onlyAdminsDrainAndActivateANodeAndEachChangeIsAudited() {
        String node = TestStack.CLUSTER.getLast();
        RequestSpecification viewer = operator(Set.of(Scope.READ, Scope.ADMIN));
        viewer.get("/admin/v1/nodes/" + node).then().statusCode(200);
        viewer.body(Map.of("reason", "x")).post("/admin/v1/nodes/" + node + "/drain").then().statusCode(403)
                .body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
        try {
            admin().body(Map.of("reason", "disk replacement")).post("/admin/v1/nodes/" + node + "/drain").then()
                    .statusCode(200).body("state", equalTo("draining")).body("draining", equalTo(true));
            admin().get("/admin/v1/nodes/" + node).then().body("state", equalTo("draining"));
        } finally {
            admin().post("/admin/v1/nodes/" + node + "/activate").then().statusCode(200)
                    .body("state", equalTo("active")).body("draining", equalTo(false));
        }
        admin().post("/admin/v1/nodes/no-such-node/drain").then().statusCode(404);
        var audit = admin().queryParam("target", "node:" + node).get("/admin/v1/audit").then().statusCode(200)
                .extract().jsonPath();
        assertThat(audit.getList("entries.action")).startsWith("node.activate", "node.drain");
        assertThat(audit.getString("entries[1].reason")).isEqualTo("disk replacement");
    }

    private static final String SECRET = "Bearer registered-node-secret-0123456789";

    @Test
    void aNodeRegisteredThroughTheAdminApiIsPolledTakesPinsAndIsRemovedOnlyOnceDrainedAndEmpty() throws Exception {
        String name = "registered-" + Long.toString(System.nanoTime() % 100000, 36);
        try (KuboDaemon daemon = KuboDaemon.start(name)) {
            KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);
            daemon.connect(outside);
            TestStack.CLUSTER.forEach(n -> daemon.connect(KuboDaemon.attach(n)));

            var created = admin().body(Map.of("name", name, "rpcUrl", daemon.apiUrl(), "authorization", SECRET,
                            "reason", "more room"))
                    .post("/admin/v1/nodes").then().statusCode(201)
                    .header("Location", endsWith("/admin/v1/nodes/" + name))
                    .body("name", equalTo(name)).body("source", equalTo("admin-api"))
                    .extract().asString();
            assertThat(created).doesNotContain("registered-node-secret");
            await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
                var view = admin().get("/admin/v1/nodes/" + name).then().statusCode(200)
                        .body("state", equalTo("active")).body("healthy", equalTo(true))
                        .body("peerId", equalTo(daemon.peerId())).extract().jsonPath();
                long max = ((Number) view.get("storageMaxBytes")).longValue();
                long used = ((Number) view.get("repoSizeBytes")).longValue();
                assertThat(used).isPositive();
                assertThat(((Number) view.get("freeBytes")).longValue()).isEqualTo(max - used);
            });
            String upGauge = "atpin_node_up{node=\"" + name + "\"} 1.0";
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                    assertThat(RestAssured.get("/q/metrics").then().extract().asString()).contains(upGauge));
            try (Connection c = DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres", "postgres");
                    ResultSet rs = c.createStatement().executeQuery(
                            "select authorization_sealed from registered_node where name = '" + name + "'")) {
                assertThat(rs.next()).isTrue();
                assertThat(rs.getString(1)).startsWith("enc:v1:").doesNotContain("registered-node-secret");
            }

            // Rendezvous placement spreads contents over the three nodes: some of 24 land on the new one.
            Tenants.Tenant tenant = Tenants.fresh(tokens);
            List<byte[]> files = new ArrayList<>();
            for (int i = 0; i < 24; i++) {
                files.add((name + " content " + i + " " + System.nanoTime()).getBytes(StandardCharsets.UTF_8));
            }
            List<String> cids = outside.addUnpinned(files);
            for (String cid : cids) {
                tenant.api().body(Map.of("cid", cid, "origins", outside.swarmAddresses())).post("/psa/pins").then()
                        .statusCode(202);
            }
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> tenant.api().queryParam("status", "pinned")
                    .get("/psa/pins").then().statusCode(200).body("count", equalTo(cids.size())));
            long pinnedHere = ((Number) admin().get("/admin/v1/nodes/" + name).then().extract().path("pinned")).longValue();
            assertThat(pinnedHere).as("contents placed on the registered node").isPositive();
            assertThat(daemon.recursivePins().values()).filteredOn(n -> n.startsWith("atpin:")).hasSize((int) pinnedHere);

            // Refusals: a taken name, a configured one, addresses outside the infrastructure rule, a viewer.
            admin().body(Map.of("name", name, "rpcUrl", daemon.apiUrl())).post("/admin/v1/nodes").then()
                    .statusCode(409).body("error.reason", equalTo("NODE_EXISTS"));
            admin().body(Map.of("name", TestStack.CLUSTER.getFirst(), "rpcUrl", daemon.apiUrl())).post("/admin/v1/nodes")
                    .then().statusCode(409).body("error.reason", equalTo("NODE_EXISTS"));
            for (String url : List.of("http://169.254.169.254:5001", "http://user:pw@127.0.0.1:5001",
                    "file:///etc/passwd", "http://127.0.0.1:5001/api/v0")) {
                admin().body(Map.of("name", "refused-node", "rpcUrl", url)).post("/admin/v1/nodes").then()
                        .statusCode(400).body("error.reason", equalTo("INVALID_RPC_URL"));
            }
            admin().body(Map.of("name", "Not A Name", "rpcUrl", daemon.apiUrl())).post("/admin/v1/nodes").then()
                    .statusCode(400).body("error.reason", equalTo("INVALID_NODE_NAME"));
            admin().body(Map.of("name", "bad-auth", "rpcUrl", daemon.apiUrl(), "authorization", "hunter2"))
                    .post("/admin/v1/nodes").then().statusCode(400).body("error.reason", equalTo("INVALID_AUTHORIZATION"))
                    .body("error.details", not(containsString("hunter2")));
            RequestSpecification viewer = operator(Set.of(Scope.READ, Scope.ADMIN));
            viewer.body(Map.of("name", "viewer-node", "rpcUrl", daemon.apiUrl())).post("/admin/v1/nodes").then()
                    .statusCode(403).body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
            viewer.delete("/admin/v1/nodes/" + name).then().statusCode(403).body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
            admin().get("/admin/v1/nodes/refused-node").then().statusCode(404);
            admin().delete("/admin/v1/nodes/" + TestStack.CLUSTER.getFirst()).then().statusCode(409)
                    .body("error.reason", equalTo("CONFIGURED_NODE"));
            admin().delete("/admin/v1/nodes/no-such-node").then().statusCode(404);
            admin().delete("/admin/v1/nodes/" + name).then().statusCode(409).body("error.reason", equalTo("NODE_NOT_DRAINED"));

            // Drained, it still holds its copies until the healer pinned them elsewhere: not removable yet.
            admin().body(Map.of("reason", "retire")).post("/admin/v1/nodes/" + name + "/drain").then().statusCode(200);
            admin().delete("/admin/v1/nodes/" + name).then().statusCode(409).body("error.reason", equalTo("NODE_NOT_EMPTY"));
            await().atMost(Duration.ofSeconds(90)).untilAsserted(() -> assertThat(
                    admin().get("/admin/v1/nodes/" + name).then().extract().jsonPath().getMap("placements")).isEmpty());
            admin().queryParam("reason", "retired").delete("/admin/v1/nodes/" + name).then().statusCode(204);
            admin().get("/admin/v1/nodes/" + name).then().statusCode(404);
            admin().get("/admin/v1/nodes").then().statusCode(200).body("name", not(hasItem(name)));
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> assertThat(
                    RestAssured.get("/q/metrics").then().extract().asString()).doesNotContain("node=\"" + name + "\""));
            assertThat(daemon.recursivePins().values()).noneMatch(n -> n.startsWith("atpin:"));
            tenant.api().queryParam("status", "pinned").get("/psa/pins").then().body("count", equalTo(cids.size()));

            var audit = admin().queryParam("target", "node:" + name).get("/admin/v1/audit").then().statusCode(200)
                    .extract().jsonPath();
            assertThat(audit.getList("entries.action")).containsExactly("node.deregister", "node.drain", "node.register");
            assertThat(audit.getString("entries[2].reason")).isEqualTo("more room");
            assertThat(audit.getBoolean("entries[2].details.authorization")).isTrue();
            assertThat(audit.prettify()).doesNotContain("registered-node-secret");
        } finally {
            // A failed run must not leave a node that other tests would place on.
            admin().post("/admin/v1/nodes/" + name + "/drain");
        }
    }
}
