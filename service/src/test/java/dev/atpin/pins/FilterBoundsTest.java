package dev.atpin.pins;

import static org.hamcrest.Matchers.equalTo;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.Tenants;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Timestamps PostgreSQL cannot hold are a 400 in the Failure shape, not a 500. */
@QuarkusTest
class FilterBoundsTest {

    @Inject
    TokenService tokens;

    @ParameterizedTest
    @ValueSource(strings = {"+10000-01-01T00:00:00Z", "+999999999-12-31T23:59:59Z", "-290000-01-01T00:00:00Z",
            "0000-12-31T23:59:59Z"})
    void anOutOfRangeTimestampIsABadRequest(String when) {
        Tenants.Tenant tenant = Tenants.fresh(tokens);
        for (String filter : new String[] {"before", "after"}) {
            tenant.api().queryParam(filter, when).get("/psa/pins").then().statusCode(400)
                    .body("error.reason", equalTo("INVALID_TIMESTAMP"));
        }
    }
}
