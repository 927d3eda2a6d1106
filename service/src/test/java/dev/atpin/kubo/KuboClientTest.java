package dev.atpin.kubo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.testing.Cids;
import dev.atpin.testing.KuboDaemon;
import java.time.Duration;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** Our Kubo RPC client against a real daemon. */
class KuboClientTest {

    private static KuboDaemon daemon;
    private static KuboClient kubo;

    @BeforeAll
    static void start() {
        daemon = KuboDaemon.start("client-test");
        kubo = new KuboClient("client-test", daemon.apiUrl(), Duration.ofSeconds(10), new ObjectMapper());
    }

    @AfterAll
    static void stop() {
        daemon.close();
    }

    @Test
    void aBlockNobodyHasEndsInANoProgressErrorInsteadOfWaitingForever() {
        long started = System.nanoTime();
        assertThatThrownBy(() -> kubo.dagSize(Cids.unfetchable(), Long.MAX_VALUE, Duration.ofSeconds(2), p -> { }))
                .isInstanceOf(KuboException.class).hasMessageContaining("no progress");
        assertThatThrownBy(() -> kubo.pinAdd(Cids.unfetchable(), "atpin:x", Duration.ofSeconds(2), p -> { }))
                .isInstanceOf(KuboException.class).hasMessageContaining("no progress");
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(20));
    }

    @Test
    void dagSizeStopsAsSoonAsTheLimitIsPassed() throws Exception {
        byte[] data = new byte[300_000];
        ThreadLocalRandom.current().nextBytes(data);
        String cid = daemon.add(data, "chunker=size-16384&raw-leaves=true");
        assertThat(kubo.dagSize(cid, Long.MAX_VALUE, Duration.ofSeconds(5), p -> { })).isGreaterThanOrEqualTo(300_000);
        assertThatThrownBy(() -> kubo.dagSize(cid, 50_000, Duration.ofSeconds(5), p -> { }))
                .isInstanceOf(KuboClient.DagTooLarge.class)
                .satisfies(e -> assertThat(((KuboClient.DagTooLarge) e).atLeast()).isBetween(50_001L, 299_999L));
    }

    @Test
    void pinsAreNamedAndCanBeRemoved() throws Exception {
        String cid = daemon.add("named pin".getBytes());
        kubo.pinAdd(cid, "atpin:" + cid, Duration.ofSeconds(5), p -> { });
        assertThat(kubo.pinName(cid)).contains("atpin:" + cid);
        assertThat(kubo.recursivePins()).containsEntry(cid, "atpin:" + cid);
        kubo.pinRm(cid);
        assertThat(kubo.pinName(cid)).isEmpty();
    }

    @Test
    void identityAndVersionAreReported() throws Exception {
        assertThat(kubo.id().peerId()).isEqualTo(daemon.peerId());
        assertThat(kubo.version()).startsWith("0.43");
    }
}
