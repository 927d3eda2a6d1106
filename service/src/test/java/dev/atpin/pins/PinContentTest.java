package dev.atpin.pins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Content really moves: from a user's own Kubo node to the cluster, and is released again. */
@QuarkusTest
class PinContentTest {

    private static final Duration PIN_TIMEOUT = Duration.ofSeconds(60);

    @Inject
    TokenService tokens;

    @Inject
    AgroalDataSource db;

    private final KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);

    private static byte[] randomBytes(int size) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }

    private String pinFromOutside(Tenant t, String cid) {
        return t.api().body(Map.of("cid", cid, "origins", outside.swarmAddresses())).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
    }

    private static String status(Tenant t, String id) {
        return t.api().get("/psa/pins/" + id).then().statusCode(200).extract().path("status");
    }

    private static Optional<KuboDaemon> clusterNodeHolding(String cid) {
        for (String name : TestStack.CLUSTER) {
            KuboDaemon node = KuboDaemon.attach(name);
            if (("atpin:" + cid).equals(node.recursivePins().get(cid))) {
                return Optional.of(node);
            }
        }
        return Optional.empty();
    }

    @Test
    void contentOnAUsersNodeIsPinnedOnTheClusterAndReleasedAfterDelete() {
        Tenant t = Tenants.fresh(tokens);
        // Several blocks: a 600 KB file in 64 KB chunks.
        String cid = outside.add(randomBytes(600_000), "chunker=size-65536&raw-leaves=true");
        String id = pinFromOutside(t, cid);

        await().atMost(PIN_TIMEOUT).until(() -> status(t, id).equals("pinned"));
        KuboDaemon holder = clusterNodeHolding(cid).orElseThrow();
        assertThat(holder.hasBlockLocally(cid)).isTrue();
        List<String> delegates = t.api().get("/psa/pins/" + id).path("delegates");
        assertThat(delegates).allMatch(d -> d.endsWith("/p2p/" + holder.peerId()));
        t.api().queryParam("status", "pinned").queryParam("cid", cid).get("/psa/pins").then().statusCode(200)
                .extract().path("count").equals(1);

        t.api().delete("/psa/pins/" + id).then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !holder.recursivePins().containsKey(cid));
    }

    @Test
    void aCidTwoTenantsWantStaysPinnedWhenOneDeletes() throws Exception {
        Tenant alice = Tenants.fresh(tokens);
        Tenant bob = Tenants.fresh(tokens);
        String cid = outside.add(randomBytes(10_000));
        String a = pinFromOutside(alice, cid);
        String b = pinFromOutside(bob, cid);
        await().atMost(PIN_TIMEOUT).until(() -> status(alice, a).equals("pinned") && status(bob, b).equals("pinned"));
        KuboDaemon holder = clusterNodeHolding(cid).orElseThrow();

        alice.api().delete("/psa/pins/" + a).then().statusCode(202);
        Thread.sleep(5_000); // longer than the test grace period (2 s) plus an unpin round
        assertThat(holder.recursivePins()).containsKey(cid);
        assertThat(status(bob, b)).isEqualTo("pinned");

        bob.api().delete("/psa/pins/" + b).then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !holder.recursivePins().containsKey(cid));
    }

    @Test
    void replaceKeepsTheOldContentUntilTheNewOneIsPinned() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        String oldCid = outside.add(randomBytes(5_000));
        String old = pinFromOutside(t, oldCid);
        await().atMost(PIN_TIMEOUT).until(() -> status(t, old).equals("pinned"));
        KuboDaemon holder = clusterNodeHolding(oldCid).orElseThrow();

        // The replacement can never be fetched: the old content must stay pinned meanwhile.
        byte[] missing = randomBytes(32);
        String newCid = dev.atpin.ipld.Cid.v1(dev.atpin.ipld.Cid.RAW, dev.atpin.ipld.Multihash.sha256(missing)).toString();
        String replacement = t.api().body(Map.of("cid", newCid)).post("/psa/pins/" + old).then().statusCode(202)
                .extract().path("requestid");
        Thread.sleep(5_000);
        assertThat(holder.recursivePins()).containsKey(oldCid);

        // Once the replacement goes away (it settles), the old content is released.
        t.api().delete("/psa/pins/" + replacement).then().statusCode(202);
        await().atMost(Duration.ofSeconds(30)).until(() -> !holder.recursivePins().containsKey(oldCid));
    }

    @Test
    void aPinWhoseWorkerDiedIsTakenOverWhenItsLeaseExpires() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        String cid = outside.add(randomBytes(3_000));
        String id = pinFromOutside(t, cid);
        // Simulate a replica that claimed the row and crashed: pinning, leased by someone gone.
        try (Connection c = db.getConnection();
                PreparedStatement crash = c.prepareStatement("""
                        update placement set state = 'pinning', lease_owner = 'crashed-replica',
                               lease_expires_at = now() + interval '3 seconds'
                        where cid = ? and state <> 'pinned'""")) {
            crash.setString(1, cid);
            crash.executeUpdate();
        }
        await().atMost(PIN_TIMEOUT).until(() -> status(t, id).equals("pinned"));
        assertThat(clusterNodeHolding(cid)).isPresent();
    }

    @Test
    void usageCountersEqualARecount() throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select count(*) from (
                          select did, status, count(*) n from pin_request group by did, status) actual
                        full join pin_status_usage u using (did, status)
                        where coalesce(actual.n, 0) <> coalesce(u.pins, 0)""");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            assertThat(rs.getInt(1)).isZero();
        }
    }

    @Test
    void everyRequestListedAsPinnedIsReallyPinnedOnAClusterNode() {
        Tenant t = Tenants.fresh(tokens);
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            String cid = outside.add(randomBytes(2_000 + i));
            cids.add(cid);
            pinFromOutside(t, cid);
        }
        await().atMost(PIN_TIMEOUT).until(() ->
                t.api().queryParam("status", "pinned").get("/psa/pins").path("count").equals(5));
        for (String cid : cids) {
            assertThat(clusterNodeHolding(cid)).as("cluster holds %s", cid).isPresent();
        }
    }
}
