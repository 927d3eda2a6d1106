package dev.atpin.process;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.time.Duration;
import java.util.Map;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The jar this build packaged starts with nothing but environment variables (as a container
 * does), becomes ready, serves the Pinning Service API and pins on a real Kubo node; and it comes
 * back after a kill -9 with everything it had accepted.
 */
class PackagedServiceIT {

    private static EmbeddedPostgres postgres;
    private static KuboDaemon kubo;
    private static ServiceProcess service;
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-it-pg-").resolve("data"), 0, false);
        kubo = KuboDaemon.start("it-node");
        service = ServiceProcess.create("it-service", Map.of(
                "QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres),
                "QUARKUS_DATASOURCE_USERNAME", "postgres",
                "QUARKUS_DATASOURCE_PASSWORD", "postgres",
                "ATPIN_KUBO_NODES_LOCAL_RPC_URL", kubo.apiUrl()));
        service.start();
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
    void packagedServiceServesPinsAndSurvivesAKill() throws Exception {
        assertThat(service.status("/q/health/live")).isEqualTo(200);
        String token = service.mintToken("did:plc:packagedserviceaaaaaaaaaa", "read,write");
        String cid = kubo.add("packaged service test content".getBytes(StandardCharsets.UTF_8));

        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/psa/pins"))
                .header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"cid\":\"" + cid + "\",\"name\":\"packaged\"}"))
                .build(), HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);

        service.kill();
        assertThat(service.status("/q/health/live")).isEqualTo(-1);
        service.restart(Duration.ofMinutes(2));

        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> pinned = HTTP.send(HttpRequest.newBuilder(
                            URI.create(service.baseUrl() + "/psa/pins?status=pinned&cid=" + cid))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pinned.statusCode()).isEqualTo(200);
            assertThat(pinned.body()).contains("\"count\":1").contains("packaged");
        });
        assertThat(kubo.recursivePins()).containsKey(cid);
    }
}
