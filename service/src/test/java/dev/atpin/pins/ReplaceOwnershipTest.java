package dev.atpin.pins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.function.Function;
import org.junit.jupiter.api.Test;

/**
 * A replace ({@code POST /psa/pins/{requestid}}) looks at whose request it names before anything else it was
 * sent: another tenant's requestid, or one nobody has, is a 404 whatever the body, content type or size, so the
 * answer can never tell "exists, but not yours" from "does not exist". Issue 14: a cross-tenant replace with an
 * invalid body used to answer the body's 400.
 */
@QuarkusTest
class ReplaceOwnershipTest {

    @Inject
    TokenService tokens;

    /** Every way of sending a replace that its owner gets refused (400 or 415) for the body alone. */
    private static Map<String, Function<RequestSpecification, RequestSpecification>> refusedBodies() {
        Map<String, Function<RequestSpecification, RequestSpecification>> bodies = new LinkedHashMap<>();
        bodies.put("an invalid cid", r -> r.body(Map.of("cid", "not-a-cid")));
        bodies.put("no cid", r -> r.body(Map.of("name", "x")));
        bodies.put("a name too long", r -> r.body(Map.of("cid", Cids.unfetchable(), "name", "n".repeat(300))));
        bodies.put("malformed JSON", r -> r.body("{\"cid\":"));
        bodies.put("a JSON array", r -> r.body("[1,2]"));
        bodies.put("an empty body", r -> r.body(""));
        bodies.put("text/plain", r -> r.contentType("text/plain").body("bafy"));
        return bodies;
    }

    @Test
    void anotherTenantsRequestidIsA404WhateverTheBody() {
        Tenant alice = Tenants.fresh(tokens);
        Tenant bob = Tenants.fresh(tokens);
        String hers = alice.api().body(Map.of("cid", Cids.unfetchable(), "name", "alice's")).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
        String nobodys = UUID.randomUUID().toString();
        for (var body : refusedBodies().entrySet()) {
            for (String id : new String[] {hers, nobodys, "not-a-uuid"}) {
                Response r = body.getValue().apply(bob.api()).post("/psa/pins/" + id);
                assertThat(r.statusCode()).as("bob replacing %s with %s: %s", id, body.getKey(), r.asString())
                        .isEqualTo(404);
                r.then().body("error.reason", equalTo("NOT_FOUND")).body("error.details", notNullValue());
            }
        }
        // a valid body too, and alice's request came out of it all untouched
        bob.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins/" + hers).then().statusCode(404)
                .body("error.reason", equalTo("NOT_FOUND"));
        alice.api().get("/psa/pins/" + hers).then().statusCode(200).body("pin.name", equalTo("alice's"));
    }

    @Test
    void itsOwnerStillGetsTheBodysOwnRefusal() {
        Tenant alice = Tenants.fresh(tokens);
        String hers = alice.api().body(Map.of("cid", Cids.unfetchable(), "name", "alice's")).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
        Map<String, Integer> expected = Map.of("an invalid cid", 400, "no cid", 400, "a name too long", 400,
                "malformed JSON", 400, "a JSON array", 400, "an empty body", 400, "text/plain", 415);
        for (var body : refusedBodies().entrySet()) {
            Response r = body.getValue().apply(alice.api()).post("/psa/pins/" + hers);
            assertThat(r.statusCode()).as("alice replacing her request with %s: %s", body.getKey(), r.asString())
                    .isEqualTo(expected.get(body.getKey()));
            r.then().body("error.reason", notNullValue());
        }
        alice.api().get("/psa/pins/" + hers).then().statusCode(200).body("pin.name", equalTo("alice's"));
    }

    /**
     * The one answer that comes before the lookup: a body declared larger than the limit is refused unread, even
     * before authentication ({@code BodyLimit}), so it is the same for every requestid and every caller.
     */
    @Test
    void aBodyDeclaredOverTheLimitIs413ForEveryRequestidAndEveryCaller() {
        Tenant alice = Tenants.fresh(tokens);
        Tenant bob = Tenants.fresh(tokens);
        String hers = alice.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
        String huge = "{\"cid\":\"" + "x".repeat(70_000) + "\"}";
        for (RequestSpecification caller : new RequestSpecification[] {alice.api(), bob.api(),
                RestAssured.given().contentType("application/json")}) {
            for (String id : new String[] {hers, UUID.randomUUID().toString()}) {
                caller.body(huge).post("/psa/pins/" + id).then().statusCode(413)
                        .body("error.reason", equalTo("BODY_TOO_LARGE"));
            }
        }
        alice.api().get("/psa/pins/" + hers).then().statusCode(200);
    }

    @Test
    void withoutATokenItIsStillA401First() {
        RestAssured.given().contentType("application/json").body("{}").post("/psa/pins/" + UUID.randomUUID())
                .then().statusCode(401);
    }
}
