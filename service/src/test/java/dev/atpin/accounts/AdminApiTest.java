package dev.atpin.accounts;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.greaterThanOrEqualTo;
import static org.hamcrest.Matchers.hasItem;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.notNullValue;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The operator admin API: only operators get in; suspension freezes writes but keeps pins. */
@QuarkusTest
class AdminApiTest {

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";

    @Inject
    TokenService tokens;

    private RequestSpecification operator() {
        String token = tokens.mint(OPERATOR, "operator", Set.of(Scope.READ, Scope.WRITE), Optional.empty()).token();
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @Test
    void aNormalUserGets403OnEveryAdminEndpoint() {
        Tenant user = Tenants.fresh(tokens);
        user.api().get("/admin/v1/accounts").then().statusCode(403).body("error.reason", equalTo("NOT_AN_OPERATOR"));
        user.api().get("/admin/v1/accounts/" + user.did()).then().statusCode(403);
        user.api().body(Map.of("maxPins", 1_000_000)).patch("/admin/v1/accounts/" + user.did()).then().statusCode(403);
        user.api().post("/admin/v1/accounts/" + user.did() + "/resume").then().statusCode(403);
        user.api().get("/admin/v1/queue").then().statusCode(403);
        user.api().get("/admin/v1/nodes").then().statusCode(403);
        RestAssured.given().get("/admin/v1/accounts").then().statusCode(401);
    }

    @Test
    void operatorsFindAccountsWithUsageAndChangeTheirPlan() {
        Tenant user = Tenants.fresh(tokens);
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(202);
        operator().queryParam("q", user.did().substring(8)).get("/admin/v1/accounts").then().statusCode(200)
                .body("accounts.did", hasItem(user.did()))
                .body("accounts.find { it.did == '" + user.did() + "' }.pins", equalTo(1))
                .body("accounts.find { it.did == '" + user.did() + "' }.plan", equalTo("free"));
        operator().body(Map.of("plan", "pro", "maxPins", 7)).patch("/admin/v1/accounts/" + user.did()).then()
                .statusCode(200).body("plan", equalTo("pro")).body("limits.maxPins", equalTo(7))
                .body("limits.replication", equalTo(2)).body("overrides.maxPins", equalTo(7));
        operator().body("{\"maxPins\": null}").patch("/admin/v1/accounts/" + user.did()).then()
                .statusCode(200).body("limits.maxPins", equalTo(1_000_000));
        operator().body(Map.of("plan", "platinum")).patch("/admin/v1/accounts/" + user.did()).then()
                .statusCode(400).body("error.reason", equalTo("UNKNOWN_PLAN"));
        operator().get("/admin/v1/accounts/did:plc:nobodyaaaaaaaaaaaaaaaaaaa").then().statusCode(404);
    }

    @Test
    void aSuspendedAccountCanReadButNotWriteAndKeepsItsPins() {
        Tenant user = Tenants.fresh(tokens);
        String id = user.api().body(Map.of("cid", Cids.unfetchable(), "name", "kept")).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
        operator().body(Map.of("reason", "abuse report")).post("/admin/v1/accounts/" + user.did() + "/suspend")
                .then().statusCode(200).body("status", equalTo("suspended"));
        user.api().get("/psa/pins/" + id).then().statusCode(200);
        user.api().queryParam("name", "kept").get("/psa/pins").then().statusCode(200).body("count", equalTo(1));
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(403)
                .body("error.reason", equalTo("ACCOUNT_SUSPENDED"));
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins/" + id).then().statusCode(403);
        user.api().delete("/psa/pins/" + id).then().statusCode(403);
        operator().post("/admin/v1/accounts/" + user.did() + "/resume").then().statusCode(200)
                .body("status", equalTo("active"));
        user.api().delete("/psa/pins/" + id).then().statusCode(202);
    }

    @Test
    void operatorsSeeQueueDepthAndNodeHealth() {
        operator().get("/admin/v1/queue").then().statusCode(200).body("queued", greaterThanOrEqualTo(0))
                .body("pinning", notNullValue());
        operator().get("/admin/v1/nodes").then().statusCode(200)
                .body("name", hasItem("node-a")).body("find { it.name == 'node-a' }.healthy", equalTo(true))
                .body("find { it.name == 'node-a' }.peerId", not(equalTo(null)));
    }
}
