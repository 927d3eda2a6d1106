package dev.atpin.accounts;

import static org.assertj.core.api.Assertions.assertThat;

import io.agroal.api.AgroalDataSource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/** Rate-limit budgets claimed in chunks (ADR 0110): exact across replicas, and cheap. */
@QuarkusTest
class RateWindowsTest {

    /** Long windows, so that a test never straddles two of them. */
    private static final Duration HOUR = Duration.ofHours(1);

    @Inject
    AgroalDataSource db;

    @Test
    void twoReplicasHammeringOneTokenAdmitExactlyTheLimitBetweenThem() throws Exception {
        RateWindows replicaA = new RateWindows(db, HOUR, 256);
        RateWindows replicaB = new RateWindows(db, HOUR, 256);
        UUID token = UUID.randomUUID();
        int limit = 700;
        long window = Instant.now().getEpochSecond() / HOUR.toSeconds();
        AtomicInteger admitted = new AtomicInteger();
        AtomicInteger refused = new AtomicInteger();
        ExecutorService pool = Executors.newFixedThreadPool(16);
        List<Future<?>> work = new ArrayList<>();
        for (int t = 0; t < 16; t++) {
            RateWindows replica = t % 2 == 0 ? replicaA : replicaB;
            work.add(pool.submit(() -> {
                for (int i = 0; i < 100; i++) {
                    RateWindows.Window w = replica.count(token, limit);
                    (w.hits() > w.limit() ? refused : admitted).incrementAndGet();
                }
                return null;
            }));
        }
        for (Future<?> f : work) {
            f.get();
        }
        pool.shutdown();
        if (Instant.now().getEpochSecond() / HOUR.toSeconds() != window) {
            return; // the hour turned during the test: two windows, nothing exact to check
        }
        assertThat(admitted.get()).isEqualTo(limit);
        assertThat(refused.get()).isEqualTo(1600 - limit);
        assertThat(claimed(token)).isEqualTo(limit);
    }

    @Test
    void aHighLimitIsCountedWithOneDatabaseClaimPerChunk() throws Exception {
        RateWindows replica = new RateWindows(db, HOUR, 100);
        UUID token = UUID.randomUUID();
        for (int i = 1; i <= 250; i++) {
            RateWindows.Window w = replica.count(token, 1_000_000);
            assertThat(w.hits()).isEqualTo(i);
            assertThat(w.remaining()).isEqualTo(1_000_000 - i);
        }
        // 250 requests, three claims of 100: the database saw three writes, not 250.
        assertThat(claimed(token)).isEqualTo(300);
    }

    @Test
    void aSmallLimitIsClaimedOneRequestAtATimeSoTheRemainingCountIsExact() throws Exception {
        RateWindows replicaA = new RateWindows(db, HOUR, 256);
        RateWindows replicaB = new RateWindows(db, HOUR, 256);
        UUID token = UUID.randomUUID();
        assertThat(replicaA.count(token, 3).remaining()).isEqualTo(2);
        assertThat(replicaB.count(token, 3).remaining()).isEqualTo(1);
        assertThat(replicaA.count(token, 3).remaining()).isEqualTo(0);
        RateWindows.Window refused = replicaB.count(token, 3);
        assertThat(refused.hits()).isGreaterThan(refused.limit());
        assertThat(replicaA.count(token, 3).hits()).isGreaterThan(3);
        assertThat(claimed(token)).isEqualTo(3);
    }

    private long claimed(UUID token) throws Exception {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select coalesce(sum(hits), 0) from rate_window where token_id = ?")) {
            q.setObject(1, token);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }
}
