package dev.atpin.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.anyOf;
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
import io.restassured.response.Response;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The operator admin API with API tokens: only an operator's admin-scoped token gets in, a read-only one only
 * looks; suspension freezes writes but keeps pins; changes are versioned and audited. (Operators from the
 * identity provider: {@code dev.atpin.console.OperatorLoginTest}.)
 */
@QuarkusTest
class AdminApiTest {

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";

    @Inject
    TokenService tokens;

    private RequestSpecification operator() {
        return operator(Set.of(Scope.READ, Scope.WRITE, Scope.ADMIN));
    }

    private RequestSpecification operator(Set<Scope> scopes) {
        String token = tokens.mint(OPERATOR, "operator", scopes, Optional.empty()).token();
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @Test
    void aNormalUserGets403OnEveryAdminEndpoint() {
        Tenant user = Tenants.fresh(tokens);
        user.api().get("/admin/v1/accounts").then().statusCode(403).body("error.reason", equalTo("NOT_AN_OPERATOR"));
        user.api().get("/admin/v1/accounts/" + user.did()).then().statusCode(403);
        user.api().body(Map.of("maxPins", 1_000_000)).patch("/admin/v1/accounts/" + user.did()).then().statusCode(403);
        user.api().post("/admin/v1/accounts/" + user.did() + "/resume").then().statusCode(403);
        user.api().delete("/admin/v1/accounts/" + user.did() + "?reason=x").then().statusCode(403);
        user.api().get("/admin/v1/queue").then().statusCode(403);
        user.api().get("/admin/v1/nodes").then().statusCode(403);
        user.api().get("/admin/v1/audit").then().statusCode(403);
        RestAssured.given().get("/admin/v1/accounts").then().statusCode(401).body("error.reason", equalTo("UNAUTHORIZED"));
        RestAssured.given().header("Authorization", "Bearer not-a-token").get("/admin/v1/accounts").then()
                .statusCode(401).body("error.reason", equalTo("UNAUTHORIZED"));
    }

    @Test
    void anOperatorsTokenWithoutTheAdminScopeDoesNotOpenTheAdminApi() {
        operator(Set.of(Scope.READ, Scope.WRITE)).get("/admin/v1/accounts").then().statusCode(403)
                .body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
    }

    /** Regression (issue 14): a read-only operator token could suspend accounts. */
    @Test
    void anOperatorsReadOnlyTokenLooksButNeverChangesAnything() {
        Tenant user = Tenants.fresh(tokens);
        RequestSpecification readOnly = operator(Set.of(Scope.READ, Scope.ADMIN));
        readOnly.get("/admin/v1/accounts/" + user.did()).then().statusCode(200);
        readOnly.get("/admin/v1/me").then().statusCode(200).body("role", equalTo("atpin-viewer"))
                .body("via", equalTo("api-token"));
        readOnly.body(Map.of("reason", "abuse")).post("/admin/v1/accounts/" + user.did() + "/suspend").then()
                .statusCode(403).body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
        readOnly.body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did()).then().statusCode(403);
        readOnly.post("/admin/v1/accounts/" + user.did() + "/resume").then().statusCode(403);
        readOnly.delete("/admin/v1/accounts/" + user.did() + "?reason=x").then().statusCode(403);
        readOnly.body(Map.of("cid", "x", "node", "node-a")).post("/admin/v1/queue/retry").then().statusCode(403);
        operator().get("/admin/v1/accounts/" + user.did()).then().statusCode(200)
                .body("status", equalTo("active")).body("plan", equalTo("free"));
        user.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(202);
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
        operator().get("/admin/v1/accounts/" + user.did() + "/pins").then().statusCode(200)
                .body("pins.size()", equalTo(1)).body("pins[0].status", anyOf(equalTo("queued"), equalTo("pinning")));
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
    void aSuspensionNeedsAReasonAndEveryChangeIsAuditedWithWhoWhenAndWhat() {
        Tenant user = Tenants.fresh(tokens);
        operator().body(Map.of()).post("/admin/v1/accounts/" + user.did() + "/suspend").then().statusCode(400)
                .body("error.reason", equalTo("REASON_REQUIRED"));
        operator().body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did()).then().statusCode(200);
        operator().body(Map.of("reason", "spam wave")).post("/admin/v1/accounts/" + user.did() + "/suspend")
                .then().statusCode(200);
        operator().queryParam("target", user.did()).get("/admin/v1/audit").then().statusCode(200)
                .body("entries.size()", equalTo(2))
                .body("entries[0].action", equalTo("account.suspend"))
                .body("entries[0].reason", equalTo("spam wave"))
                .body("entries[0].operator", equalTo(OPERATOR))
                .body("entries[0].via", equalTo("api-token"))
                .body("entries[0].at", notNullValue())
                .body("entries[0].details.status.from", equalTo("active"))
                .body("entries[0].details.status.to", equalTo("suspended"))
                .body("entries[1].action", equalTo("account.change"))
                .body("entries[1].details.plan.from", equalTo("free"))
                .body("entries[1].details.plan.to", equalTo("pro"));
    }

    /** Regression (issue 14): a change made against a version another operator has changed since is refused. */
    @Test
    void aChangeSentWithAnOutdatedVersionIsRefusedAndUndoesNothing() {
        Tenant user = Tenants.fresh(tokens);
        Response seen = operator().get("/admin/v1/accounts/" + user.did());
        String etag = seen.header("ETag");
        assertThat(etag).isNotBlank();
        operator().header("If-Match", etag).body(Map.of("reason", "abuse"))
                .post("/admin/v1/accounts/" + user.did() + "/suspend").then().statusCode(200)
                .body("status", equalTo("suspended"));
        operator().header("If-Match", etag).body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did())
                .then().statusCode(412).body("error.reason", equalTo("VERSION_MISMATCH"));
        operator().header("If-Match", "\"bogus\"").body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did())
                .then().statusCode(400).body("error.reason", equalTo("INVALID_IF_MATCH"));
        operator().get("/admin/v1/accounts/" + user.did()).then().statusCode(200)
                .body("status", equalTo("suspended")).body("plan", equalTo("free"));
    }

    /**
     * Regression (issue 14): PATCH read the account, then wrote every column back; a suspension committed in
     * between was undone. Here the suspension commits while the PATCH waits for the row.
     */
    @Test
    void aPlanChangeNeverUndoesASuspensionThatCommittedMeanwhile() throws Exception {
        Tenant user = Tenants.fresh(tokens);
        RequestSpecification admin = operator();
        try (Connection other = DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres",
                "postgres")) {
            other.setAutoCommit(false);
            int pid = scalar(other, "select pg_backend_pid()");
            try (PreparedStatement lock = other.prepareStatement("select 1 from account where did = ? for update")) {
                lock.setString(1, user.did());
                lock.executeQuery().close();
            }
            CompletableFuture<Integer> patch = CompletableFuture.supplyAsync(() ->
                    admin.body(Map.of("plan", "pro")).patch("/admin/v1/accounts/" + user.did()).statusCode());
            // the PATCH now waits for our row lock (after it read the account, if it reads without one)
            await().atMost(Duration.ofSeconds(60)).until(() -> blockedBy(pid) > 0);
            try (PreparedStatement suspend = other.prepareStatement(
                    "update account set status = 'suspended', status_reason = 'meanwhile' where did = ?")) {
                suspend.setString(1, user.did());
                suspend.executeUpdate();
            }
            other.commit();
            assertThat(patch.get(60, TimeUnit.SECONDS)).isEqualTo(200);
        }
        operator().get("/admin/v1/accounts/" + user.did()).then().statusCode(200)
                .body("plan", equalTo("pro")).body("status", equalTo("suspended"))
                .body("statusReason", equalTo("meanwhile"));
    }

    @Test
    void deletingAnAccountRemovesItsPinsAndTokensAndReleasesItsContent() throws Exception {
        Tenant user = Tenants.fresh(tokens);
        String cid = Cids.unfetchable();
        user.api().body(Map.of("cid", cid)).post("/psa/pins").then().statusCode(202);
        operator().delete("/admin/v1/accounts/" + user.did()).then().statusCode(400)
                .body("error.reason", equalTo("REASON_REQUIRED"));
        operator().queryParam("reason", "asked to leave").delete("/admin/v1/accounts/" + user.did()).then()
                .statusCode(200).body("pins", equalTo(1)).body("tokens", equalTo(1));
        operator().get("/admin/v1/accounts/" + user.did()).then().statusCode(404);
        user.api().get("/psa/pins").then().statusCode(401);
        operator().queryParam("target", user.did()).get("/admin/v1/audit").then().statusCode(200)
                .body("entries[0].action", equalTo("account.delete"))
                .body("entries[0].reason", equalTo("asked to leave"));
        // nobody else wants the content: it is unpinned after the grace period and forgotten
        try (Connection c = DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres",
                "postgres")) {
            await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
                    .until(() -> count(c, "select count(*) from content where cid = ?", normalized(cid)) == 0);
        }
    }

    @Test
    void operatorsSeeQueueDepthNodeHealthFailuresAndTheWatcher() {
        operator().get("/admin/v1/queue").then().statusCode(200).body("queued", greaterThanOrEqualTo(0))
                .body("pinning", notNullValue());
        operator().get("/admin/v1/nodes").then().statusCode(200)
                .body("name", hasItem("node-a")).body("find { it.name == 'node-a' }.healthy", equalTo(true))
                .body("find { it.name == 'node-a' }.peerId", not(equalTo(null)));
        operator().get("/admin/v1/queue/failures").then().statusCode(200);
        operator().get("/admin/v1/watcher").then().statusCode(200).body("upstreams", notNullValue());
        operator().body(Map.of("cid", "bafynothing", "node", "node-a")).post("/admin/v1/queue/retry").then()
                .statusCode(404);
    }

    @Test
    void retryNowGivesAFailedPlacementAFreshSeriesOfAttemptsAndIsAudited() throws Exception {
        Tenant user = Tenants.fresh(tokens);
        String cid = normalized(Cids.unfetchable());
        user.api().body(Map.of("cid", cid)).post("/psa/pins").then().statusCode(202);
        try (Connection c = DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres",
                "postgres")) {
            await().atMost(Duration.ofSeconds(60)).until(() -> count(c, "select count(*) from placement where cid = ?", cid) > 0);
            // the state a placement reaches after its last attempt (an unfetchable CID takes hours to get there)
            try (PreparedStatement give = c.prepareStatement("""
                    update placement set state = 'failed', attempts = 12, last_error = 'no progress for 2m0s',
                           lease_owner = null, lease_expires_at = null, updated_at = now() where cid = ?
                    returning node""")) {
                give.setString(1, cid);
                try (ResultSet rs = give.executeQuery()) {
                    rs.next();
                    String node = rs.getString(1);
                    operator().get("/admin/v1/queue/failures").then().statusCode(200)
                            .body("find { it.cid == '" + cid + "' }.lastError", equalTo("no progress for 2m0s"))
                            .body("find { it.cid == '" + cid + "' }.state", equalTo("failed"));
                    operator().body(Map.of("cid", cid, "node", node)).post("/admin/v1/queue/retry").then().statusCode(204);
                    assertThat(count(c, "select count(*) from placement where cid = ? and state <> 'failed' and attempts <= 1",
                            cid)).isEqualTo(1);
                    operator().queryParam("target", cid + "@" + node).get("/admin/v1/audit").then().statusCode(200)
                            .body("entries[0].action", equalTo("queue.retry"));
                }
            }
        }
    }

    private static String normalized(String cid) {
        return dev.atpin.ipld.Cid.parse(cid).normalized();
    }

    private static int blockedBy(int pid) throws SQLException {
        try (Connection c = DriverManager.getConnection(System.getProperty("atpin.test.jdbc-url"), "postgres",
                "postgres")) {
            return count(c, "select count(*) from pg_stat_activity where ?::int = any(pg_blocking_pids(pid))", pid);
        }
    }

    private static int scalar(Connection c, String sql) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql); ResultSet rs = q.executeQuery()) {
            rs.next();
            return rs.getInt(1);
        }
    }

    private static int count(Connection c, String sql, Object param) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(sql)) {
            q.setObject(1, param);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }
}
