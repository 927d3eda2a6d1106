package dev.atpin.accounts;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.containsString;
import static org.hamcrest.Matchers.equalTo;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.UsageRecount;
import dev.atpin.testing.Tenants.Tenant;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Plans and their limits: pin count, bytes, request rate, suspension. */
@QuarkusTest
class QuotaTest {

    @Inject
    TokenService tokens;

    @Inject
    AgroalDataSource db;

    private final KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);

    private void override(String did, String column, long value) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("update account set " + column + " = ? where did = ?")) {
            q.setLong(1, value);
            q.setString(2, did);
            assertThat(q.executeUpdate()).isEqualTo(1);
        }
    }

    @Test
    void aHundredConcurrentAddsAtAQuotaOfFiftyAcceptExactlyFifty() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        override(t.did(), "max_pins", 50);
        override(t.did(), "rate_limit", 10_000);
        ExecutorService pool = Executors.newFixedThreadPool(25);
        List<Future<Integer>> results = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            results.add(pool.submit(() -> t.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").statusCode()));
        }
        int accepted = 0;
        int refused = 0;
        for (Future<Integer> r : results) {
            int status = r.get();
            if (status == 202) {
                accepted++;
            } else if (status == 409) {
                refused++;
            }
        }
        pool.shutdown();
        assertThat(accepted).isEqualTo(50);
        assertThat(refused).isEqualTo(50);
        t.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(409)
                .body("error.reason", equalTo("INSUFFICIENT_FUNDS"))
                .body("error.details", containsString("pin count quota"));
        t.api().queryParam("status", "queued,pinning,pinned,failed").get("/psa/pins").then().body("count", equalTo(50));
        assertThat(usageMatchesRecount()).isTrue();
    }

    private boolean usageMatchesRecount() throws Exception {
        try (Connection c = db.getConnection()) {
            return UsageRecount.mismatches(c) == 0;
        }
    }

    private static byte[] randomBytes(int size) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }

    private String addFromOutside(Tenant t, String cid) {
        return t.api().body(Map.of("cid", cid, "origins", outside.swarmAddresses())).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
    }

    private static boolean anyClusterNodePins(String cid) {
        return TestStack.CLUSTER.stream().anyMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid));
    }

    @Test
    void aDagLargerThanTheBytesLeftFailsWithTheLimitAndNothingOfItStaysPinned() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        override(t.did(), "max_bytes", 200_000);
        String small = outside.add(randomBytes(50_000));
        String smallId = addFromOutside(t, small);
        await().atMost(Duration.ofSeconds(60)).until(() -> "pinned".equals(t.api().get("/psa/pins/" + smallId).path("status")));
        String dagSize = t.api().get("/psa/pins/" + smallId).path("info.dag_size");
        assertThat(Long.parseLong(dagSize)).isGreaterThanOrEqualTo(50_000);

        // 1.5 MB in 64 KiB blocks: the walk stops long before fetching all of it.
        String large = outside.add(randomBytes(1_500_000), "chunker=size-65536&raw-leaves=true");
        String largeId = addFromOutside(t, large);
        await().atMost(Duration.ofSeconds(60)).until(() -> "failed".equals(t.api().get("/psa/pins/" + largeId).path("status")));
        t.api().get("/psa/pins/" + largeId).then().body("info.status_details", containsString("storage quota"));
        assertThat(anyClusterNodePins(large)).isFalse();
        assertThat(usageMatchesRecount()).isTrue();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select bytes from account_usage where did = ?")) {
            q.setString(1, t.did());
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                assertThat(rs.getLong(1)).isEqualTo(Long.parseLong(dagSize));
            }
        }
    }

    @Test
    void aDagOverThePlansMaxPinSizeFailsSayingSo() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        override(t.did(), "max_pin_size", 20_000);
        String cid = outside.add(randomBytes(100_000), "chunker=size-16384&raw-leaves=true");
        String id = addFromOutside(t, cid);
        await().atMost(Duration.ofSeconds(60)).until(() -> "failed".equals(t.api().get("/psa/pins/" + id).path("status")));
        t.api().get("/psa/pins/" + id).then().body("info.status_details", containsString("pin size limit"));
        assertThat(anyClusterNodePins(cid)).isFalse();
    }

    @Test
    void tenantsAreChargedEachForSharedContentAndAPoorerOneFailsAlone() throws Exception {
        Tenant rich = Tenants.fresh(tokens);
        Tenant poor = Tenants.fresh(tokens);
        override(poor.did(), "max_bytes", 10_000);
        String cid = outside.add(randomBytes(40_000));
        String richId = addFromOutside(rich, cid);
        await().atMost(Duration.ofSeconds(60)).until(() -> "pinned".equals(rich.api().get("/psa/pins/" + richId).path("status")));
        String poorId = addFromOutside(poor, cid);
        poor.api().get("/psa/pins/" + poorId).then().body("status", equalTo("failed"))
                .body("info.status_details", containsString("storage quota"));
        rich.api().get("/psa/pins/" + richId).then().body("status", equalTo("pinned"));
        assertThat(usageMatchesRecount()).isTrue();
    }

    @Test
    void theRateLimitIsAnnouncedEnforcedAndResets() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        override(t.did(), "rate_limit", 5);
        // Start at the beginning of a window so that all six calls fall into it.
        long window = 5;
        long now = Instant.now().getEpochSecond();
        Thread.sleep(Math.max(0, (window - now % window) * 1000 + 50));
        for (int i = 1; i <= 5; i++) {
            Response r = t.api().get("/psa/pins");
            r.then().statusCode(200).header("x-ratelimit-limit", "5").header("x-ratelimit-remaining", String.valueOf(5 - i));
            assertThat(Long.parseLong(r.header("x-ratelimit-reset"))).isGreaterThan(Instant.now().getEpochSecond() - 1);
        }
        Response refused = t.api().get("/psa/pins");
        refused.then().statusCode(429).body("error.reason", equalTo("RATE_LIMITED"))
                .header("x-ratelimit-remaining", "0");
        long reset = Long.parseLong(refused.header("x-ratelimit-reset"));
        await().atMost(Duration.ofSeconds(10)).until(() -> Instant.now().getEpochSecond() >= reset);
        t.api().get("/psa/pins").then().statusCode(200).header("x-ratelimit-remaining", "4");
    }
}
