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
}
