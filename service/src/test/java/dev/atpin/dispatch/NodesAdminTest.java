package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.hasItems;
import static org.hamcrest.Matchers.notNullValue;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * Nodes as operators see them: each node's state, peer ID and space read from the node itself, one node by
 * name, and drain/activate, which only admins may do and which is audited.
 */
@QuarkusTest
class NodesAdminTest {

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";

    @Inject
    TokenService tokens;

    private RequestSpecification operator(Set<Scope> scopes) {
        String token = tokens.mint(OPERATOR, "operator", scopes, Optional.empty()).token();
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
}
