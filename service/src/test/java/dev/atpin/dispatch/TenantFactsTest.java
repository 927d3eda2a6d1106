package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;

import dev.atpin.auth.TokenService;
import dev.atpin.db.Jdbc;
import dev.atpin.ipld.Cid;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Tenants;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.PreparedStatement;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** A request's status details are the tenant's own facts: never node names, Kubo's errors or other tenants. */
@QuarkusTest
class TenantFactsTest {

    @Inject
    TokenService tokens;

    @Inject
    AgroalDataSource db;

    @Test
    void aFailedPinSaysSoWithoutNodeNamesOrKuboErrors() throws Exception {
        Tenants.Tenant alice = Tenants.fresh(tokens);
        Tenants.Tenant bob = Tenants.fresh(tokens);
        String cid = Cids.unfetchable();
        String aliceId = alice.api().body(Map.of("cid", cid)).post("/psa/pins").then().statusCode(202)
                .extract().path("requestid");
        String bobId = bob.api().body(Map.of("cid", cid)).post("/psa/pins").then().statusCode(202)
                .extract().path("requestid");
        String normalized = Cid.parse(cid).normalized();
        // What giving up after every attempt looks like (the real path takes hours of backoff).
        Jdbc.inTransaction(db, c -> {
            try (PreparedStatement fail = c.prepareStatement("""
                    update placement set state = 'failed', lease_owner = null, lease_expires_at = null,
                        last_error = 'routing: not found; asked for did:plc:someoneelse on ' || node
                    where cid = ?""")) {
                fail.setString(1, normalized);
                fail.executeUpdate();
            }
            ContentLedger.propagate(c, normalized);
            return null;
        });
        List<String> views = List.of(
                alice.api().get("/psa/pins/" + aliceId).then().statusCode(200).body("status", equalTo("failed"))
                        .extract().asString(),
                bob.api().get("/psa/pins/" + bobId).then().statusCode(200).body("status", equalTo("failed"))
                        .extract().asString());
        for (String view : views) {
            assertThat(view).contains("status_details").doesNotContain("node-a").doesNotContain("node-b")
                    .doesNotContain("routing: not found").doesNotContain("did:plc:someoneelse");
        }
    }
}
