package dev.atpin.faults;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PsaClient;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * PostgreSQL is stopped for real (its postmaster shut down) while clients keep pinning, then started again on
 * the same data and port. The service is never restarted: readiness goes down, every request in between is
 * answered 503 in the Failure shape with {@code Retry-After} (or 202 before the stop), the service comes back
 * by itself, and every request it answered 202 is there afterwards and ends pinned.
 */
class DatabaseOutageIT {

    private static final int WRITERS = 4;

    private static Path pgData;
    private static int pgPort;
    private static EmbeddedPostgres postgres;
    private static KuboDaemon kubo;
    private static ServiceProcess service;
    private static PsaClient psa;

    @BeforeAll
    static void startStack() throws IOException {
        pgData = Files.createTempDirectory("atpin-outage-pg-").resolve("data");
        postgres = EmbeddedDatabase.start(pgData, 0, false);
        pgPort = postgres.getPort();
        kubo = KuboDaemon.start("outage-node");
        service = ServiceProcess.create("outage-service", Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "ATPIN_KUBO_NODES_LOCAL_RPC_URL", kubo.apiUrl(),
                // the load, not the plan, is under test
                "ATPIN_ACCOUNTS_PLANS_FREE_MAX_PINS", "100000",
                "ATPIN_ACCOUNTS_PLANS_FREE_RATE_LIMIT", "1000000"));
        service.start();
        psa = new PsaClient(service.baseUrl(), service.mintToken("did:plc:databaseoutageaaaaaaaaaaa", "read,write"));
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (service != null) {
            service.stop();
        }
        if (kubo != null) {
            kubo.close();
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    void aPostgresRestartUnderLoadIsA503WithRetryAfterAndLosesNothingAccepted() throws Exception {
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < 8; i++) {
            cids.add(kubo.add(("database outage content " + i).getBytes(StandardCharsets.UTF_8)));
        }
        Set<String> accepted = ConcurrentHashMap.newKeySet();
        ConcurrentLinkedQueue<String> wrong = new ConcurrentLinkedQueue<>();
        AtomicInteger unavailable = new AtomicInteger();
        AtomicLong firstAcceptAfterRestart = new AtomicLong();
        AtomicLong restartedAt = new AtomicLong(Long.MAX_VALUE);
        AtomicBoolean running = new AtomicBoolean(true);
        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.submit(() -> {
                for (int n = 0; running.get(); n++) {
                    PsaClient.Answer a = psa.pin(cids.get((writer + n) % cids.size()), "outage-" + writer + "-" + n);
                    if (a.status() == 202) {
                        accepted.add(a.json().path("requestid").asText());
                        long now = System.nanoTime();
                        if (now > restartedAt.get()) {
                            firstAcceptAfterRestart.compareAndSet(0, now);
                        }
                    } else if (a.status() == 503 && a.isFailureShape() && a.retryAfter() != null
                            && a.json().path("error").path("reason").asText().equals("DATABASE_UNAVAILABLE")) {
                        unavailable.incrementAndGet();
                        sleep(200);
                        continue;
                    } else {
                        wrong.add(a.status() + " retry-after=" + a.retryAfter() + " " + a.body());
                    }
                    sleep(20);
                }
            });
        }
        try {
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> accepted.size() >= 20);

            long stoppedAt = System.nanoTime();
            postgres.close();
            Awaitility.await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
                    .until(() -> service.status("/q/health/ready") == 503);
            long readinessDown = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(30)).until(() -> unavailable.get() >= 10);
            assertThat(service.status("/q/health/live")).as("the process stays alive").isEqualTo(200);
            int acceptedBeforeRestart = accepted.size();

            postgres = EmbeddedDatabase.start(pgData, pgPort, false);
            restartedAt.set(System.nanoTime());
            Awaitility.await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
                    .until(() -> service.status("/q/health/ready") == 200);
            long ready = System.nanoTime();
            Awaitility.await().atMost(Duration.ofSeconds(60)).until(() -> accepted.size() >= acceptedBeforeRestart + 20);

            System.out.printf("MEASURED database outage: readiness down %d ms after the stop; ready again %d ms and"
                            + " first 202 %d ms after PostgreSQL was back; %d accepted, %d answered 503%n",
                    ms(readinessDown - stoppedAt), ms(ready - restartedAt.get()),
                    ms(firstAcceptAfterRestart.get() - restartedAt.get()), accepted.size(), unavailable.get());
        } finally {
            running.set(false);
            writers.shutdown();
            assertThat(writers.awaitTermination(60, TimeUnit.SECONDS)).isTrue();
        }

        assertThat(wrong).as("every answer is a 202 or a 503 DATABASE_UNAVAILABLE with Retry-After").isEmpty();
        assertThat(unavailable.get()).isPositive();
        for (String id : accepted) {
            PsaClient.Answer a = psa.get("/psa/pins/" + id);
            assertThat(a.status()).as("accepted %s must be found: %s", id, a.body()).isEqualTo(200);
        }
        // A 503 committed nothing: the tenant holds exactly the requests it was told were accepted.
        Awaitility.await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() ->
                assertThat(psa.get("/psa/pins?status=pinned&limit=1").json().path("count").asInt())
                        .isEqualTo(accepted.size()));
        assertThat(psa.get("/psa/pins?status=queued,pinning,pinned,failed&limit=1").json().path("count").asInt())
                .isEqualTo(accepted.size());
    }

    private static long ms(long nanos) {
        return TimeUnit.NANOSECONDS.toMillis(nanos);
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
