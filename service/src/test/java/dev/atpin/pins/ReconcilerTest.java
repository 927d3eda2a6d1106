package dev.atpin.pins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.auth.TokenService;
import dev.atpin.dispatch.Reconciler;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** What Kubo really holds is brought back in line with Postgres. */
@QuarkusTest
class ReconcilerTest {

    @Inject
    TokenService tokens;

    @Inject
    Reconciler reconciler;

    @Inject
    KuboNodes nodes;

    private final KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);

    @Test
    void aPinLostOnItsNodeIsPinnedAgainAndAnOrphanOfOursIsRemoved() throws Exception {
        Tenant t = Tenants.fresh(tokens);
        byte[] data = new byte[3_000];
        ThreadLocalRandom.current().nextBytes(data);
        String cid = outside.add(data);
        String id = t.api().body(Map.of("cid", cid, "origins", outside.swarmAddresses())).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
        await().atMost(Duration.ofSeconds(60)).until(() -> "pinned".equals(t.api().get("/psa/pins/" + id).path("status")));
        String holderName = TestStack.CLUSTER.stream()
                .filter(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid)).findFirst().orElseThrow();
        KuboDaemon holder = KuboDaemon.attach(holderName);

        // Someone unpins it on the node behind our back.
        holder.rpc("pin/rm", "arg=" + cid);
        Thread.sleep(50); // the placement must predate the snapshot by a tick
        int[] result = reconciler.reconcile(nodes.byName(holderName).orElseThrow());
        assertThat(result[0]).isEqualTo(1);
        await().atMost(Duration.ofSeconds(60)).until(() -> holder.recursivePins().containsKey(cid)
                && "pinned".equals(t.api().get("/psa/pins/" + id).path("status")));

        // A pin of ours that nothing in Postgres explains (a crash between Kubo and the database).
        byte[] orphanData = new byte[2_000];
        ThreadLocalRandom.current().nextBytes(orphanData);
        String orphan = holder.add(orphanData);
        holder.rpc("pin/add", "arg=" + orphan + "&name=atpin:" + orphan);
        // ...and one made by hand, without our prefix: never touched.
        byte[] handData = new byte[2_000];
        ThreadLocalRandom.current().nextBytes(handData);
        String byHand = holder.add(handData);
        result = reconciler.reconcile(nodes.byName(holderName).orElseThrow());
        assertThat(result[1]).isEqualTo(1);
        assertThat(holder.recursivePins()).doesNotContainKey(orphan).containsKey(byHand).containsKey(cid);
    }
}
