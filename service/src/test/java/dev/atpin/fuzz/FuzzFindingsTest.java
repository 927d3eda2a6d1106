package dev.atpin.fuzz;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.notNullValue;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.api.Test;

/** What the fuzzers found, kept as regression tests: each was a response outside the API's contract. */
@QuarkusTest
class FuzzFindingsTest {

    @Inject
    TokenService tokens;

    /**
     * Schemathesis (seed 14, stateful phase on) sent a list query of ~4.2 KB (a long non-ASCII name, odd CIDs and
     * meta): the HTTP layer answered 414 with no body and no content type, before the API could say which bound
     * the query crossed. Now such a query reaches the API and gets its Failure.
     */
    @Test
    void aLongListQueryGetsTheApisOwnFailureNotABare414() {
        Tenant t = Tenants.fresh(tokens);
        String longName = "é".repeat(3000); // ~18 KB once percent-encoded
        t.api().queryParam("name", longName).get("/psa/pins").then()
                .statusCode(400)
                .contentType("application/json")
                .body("error.reason", equalTo("NAME_TOO_LONG"))
                .body("error.details", notNullValue());
    }

    /**
     * Schemathesis found a 500: a {@code meta} filter (or a pin's meta, or its name) holding U+0000, which
     * PostgreSQL's text and jsonb refuse. It is bad input and gets a 400.
     */
    @Test
    void aNulCharacterInNameOrMetaIsA400NotA500() {
        Tenant t = Tenants.fresh(tokens);
        t.api().queryParam("meta", "{\"\":\"f\\u0000x\"}").get("/psa/pins").then()
                .statusCode(400).body("error.reason", equalTo("INVALID_META"));
        t.api().queryParam("name", "a\u0000b").get("/psa/pins").then()
                .statusCode(400).body("error.reason", equalTo("INVALID_NAME"));
        t.api().body(java.util.Map.of("cid", dev.atpin.testing.Cids.unfetchable(), "meta", java.util.Map.of("k", "v\u0000")))
                .post("/psa/pins").then().statusCode(400).body("error.reason", equalTo("INVALID_META"));
        t.api().body(java.util.Map.of("cid", dev.atpin.testing.Cids.unfetchable(), "name", "n\u0000"))
                .post("/psa/pins").then().statusCode(400).body("error.reason", equalTo("INVALID_NAME"));
    }

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";
    /** One operator token per test, revoked after it: the operator's DID may hold only so many live tokens. */
    private TokenService.Minted operatorToken;

    private io.restassured.specification.RequestSpecification operator() {
        if (operatorToken == null) {
            operatorToken = tokens.mint(OPERATOR, "findings", java.util.Set.of(dev.atpin.auth.Scope.READ,
                    dev.atpin.auth.Scope.WRITE, dev.atpin.auth.Scope.ADMIN), java.util.Optional.empty());
        }
        return io.restassured.RestAssured.given().header("Authorization", "Bearer " + operatorToken.token());
    }

    @org.junit.jupiter.api.AfterEach
    void revokeTheOperatorsToken() {
        if (operatorToken != null) {
            tokens.revoke(OPERATOR, operatorToken.id());
            operatorToken = null;
        }
    }

    /**
     * Schemathesis on the admin API (AdminSchemathesisFuzzTest, seed 14) found a 500: {@code DELETE
     * /accounts/{did}?reason=} with a U+0000 in the reason, which PostgreSQL's text refuses. Every text an
     * operator sends (reasons, filters, cursors, a retry's cid and node) gets a 400 for it, and a DID or node name
     * holding one names nothing (404); the account is untouched.
     */
    @Test
    void aNulCharacterInAnAdminRequestIsA400Or404NotA500() {
        Tenant t = Tenants.fresh(tokens);
        t.api().body(java.util.Map.of("cid", dev.atpin.testing.Cids.unfetchable())).post("/psa/pins").then().statusCode(202);
        operator().queryParam("reason", "spam\u0000").delete("/admin/v1/accounts/" + t.did()).then()
                .statusCode(400).body("error.reason", equalTo("INVALID_REASON"));
        operator().contentType("application/json").body(java.util.Map.of("reason", "a\u0000"))
                .post("/admin/v1/accounts/" + t.did() + "/suspend").then()
                .statusCode(400).body("error.reason", equalTo("INVALID_REASON"));
        operator().contentType("application/json").body(java.util.Map.of("reason", "a\u0000"))
                .post("/admin/v1/accounts/" + t.did() + "/resume").then()
                .statusCode(400).body("error.reason", equalTo("INVALID_REASON"));
        for (String param : new String[] {"q", "plan", "after"}) {
            operator().queryParam(param, "x\u0000").get("/admin/v1/accounts").then()
                    .statusCode(400).body("error.reason", equalTo("INVALID_" + param.toUpperCase()));
        }
        operator().queryParam("target", "x\u0000").get("/admin/v1/audit").then()
                .statusCode(400).body("error.reason", equalTo("INVALID_TARGET"));
        operator().contentType("application/json").body(java.util.Map.of("cid", "b\u0000", "node", "n"))
                .post("/admin/v1/queue/retry").then().statusCode(400).body("error.reason", equalTo("INVALID_CID"));
        operator().get("/admin/v1/accounts/" + t.did() + "%00").then().statusCode(404);
        operator().get("/admin/v1/accounts/" + t.did() + "%00/pins").then().statusCode(404);
        operator().get("/admin/v1/nodes/x%00").then().statusCode(404);
        operator().get("/admin/v1/accounts/" + t.did()).then().statusCode(200).body("status", equalTo("active"))
                .body("pins", equalTo(1));
    }

    /**
     * Found by fuzzing the admin API: resume, drain and activate take an optional body, but a POST without one
     * (and so without a Content-Type) was a 415, and a malformed one a 400 the contract did not list. Now no body
     * needs no Content-Type, and the 400 is in {@code openapi/admin.yaml}.
     */
    @Test
    void anAdminPostWithoutABodyNeedsNoContentTypeAndABadBodyIsADocumented400() {
        Tenant t = Tenants.fresh(tokens);
        operator().post("/admin/v1/accounts/" + t.did() + "/resume").then().statusCode(200)
                .body("status", equalTo("active"));
        operator().post("/admin/v1/nodes/no-such-node/drain").then().statusCode(404);
        operator().post("/admin/v1/nodes/no-such-node/activate").then().statusCode(404);
        operator().contentType("application/json").body("c").post("/admin/v1/accounts/" + t.did() + "/resume")
                .then().statusCode(400).body("error.reason", equalTo("BAD_REQUEST_BODY"));
        // with a body, as before
        operator().contentType("application/json").body(java.util.Map.of("reason", "abuse"))
                .post("/admin/v1/accounts/" + t.did() + "/suspend").then().statusCode(200)
                .body("status", equalTo("suspended")).body("statusReason", equalTo("abuse"));
        operator().contentType("application/json").body("{}").post("/admin/v1/accounts/" + t.did() + "/suspend")
                .then().statusCode(400).body("error.reason", equalTo("REASON_REQUIRED"));
    }
}
