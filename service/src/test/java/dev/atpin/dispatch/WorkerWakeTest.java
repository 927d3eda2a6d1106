package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * An accepted pin wakes the workers its placements need, not all of them: every woken worker runs the claim (a
 * transaction on the queue), and waking all {@code atpin.dispatch.workers} for each POST made every accepted pin
 * cost one claim per worker. Counted on the real dispatch path against the test stack's Kubo nodes.
 */
@QuarkusTest
class WorkerWakeTest {

    private static final int PINS = 20;

    @Inject
    TokenService tokens;

    @Inject
    MeterRegistry meters;

    @Inject
    DispatchConfig config;

    private final KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);

    @Test
    void eachAcceptedPinCostsAFewClaimsNotOnePerWorker() {
        Tenant t = Tenants.fresh(tokens);
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < PINS; i++) {
            byte[] data = new byte[512];
            ThreadLocalRandom.current().nextBytes(data);
            cids.add(outside.add(data));
        }
        double emptyBefore = claims("empty");
        double claimedBefore = claims("claimed");
        long started = System.nanoTime();

        List<String> ids = new ArrayList<>();
        for (String cid : cids) {
            // one at a time, as a sequential client (Kubo's `ipfs pin remote add`) sends them
            ids.add(t.api().body(Map.of("cid", cid, "origins", outside.swarmAddresses())).post("/psa/pins")
                    .then().statusCode(202).extract().path("requestid"));
        }
        await().atMost(Duration.ofSeconds(90)).until(() -> ids.stream().allMatch(id ->
                "pinned".equals(t.api().get("/psa/pins/" + id).then().statusCode(200).extract().path("status"))));

        double seconds = (System.nanoTime() - started) / 1e9;
        double empty = claims("empty") - emptyBefore;
        assertThat(claims("claimed") - claimedBefore).isGreaterThanOrEqualTo(PINS);
        // Per pin: the claim that found it, and the one worker it woke after that finding nothing. Per poll tick: one
        // claim. Other tests' leftovers (releases, retries) may add a few. Waking every worker for each POST made
        // this PINS × workers (2,560 with the test profile's 128 workers).
        double allowed = 2.0 * PINS + 2 * seconds / (config.pollInterval().toMillis() / 1000.0) + 20;
        assertThat(empty).as("claims that found nothing in %.1f s for %d pins", seconds, PINS).isLessThanOrEqualTo(allowed);
        assertThat(allowed).isLessThan((double) PINS * config.workers() / 4);
    }

    private double claims(String result) {
        return meters.get("atpin.dispatch.claims").tag("result", result).counter().count();
    }
}
