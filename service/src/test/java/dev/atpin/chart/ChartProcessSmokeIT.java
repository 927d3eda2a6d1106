package dev.atpin.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The chart configures a working service, not just valid YAML: the Deployment's container as rendered (env with
 * the values of its ConfigMap and Secrets, the mounted settings file and keys, its args) starts the packaged
 * service against a real PostgreSQL and a real Kubo node, becomes ready on the rendered probe paths, serves the
 * Pinning Service API with a token signed by the key from the chart's Secret, and exports every metric the
 * chart's alerts use.
 */
class ChartProcessSmokeIT {

    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static EmbeddedPostgres postgres;
    private static KuboDaemon kubo;
    private static ServiceProcess service;
    private static RenderedChart chart;
    private static DeployedContainer container;

    @BeforeAll
    static void startFromTheRenderedChart() throws Exception {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-chart-pg-").resolve("data"), 0, false);
        kubo = KuboDaemon.start("chart-node");
        // the values an operator would write: the database and the Kubo node are where this machine has them
        Map<String, Object> values = new LinkedHashMap<>();
        values.put("database.host", "127.0.0.1");
        values.put("database.port", postgres.getPort());
        values.put("database.name", "postgres");
        values.put("database.username", "postgres");
        values.put("database.password", "postgres");
        values.put("database.jdbcParameters", "");
        values.put("kubo.enabled", false);
        values.put("kubo.externalNodes.kubo-0", kubo.apiUrl());
        values.put("metrics.prometheusRule.enabled", true);
        values.put("operatorDids[0]", "did:plc:chartoperatoraaaaaaaaaaaa");
        chart = RenderedChart.render(List.of(RenderedChart.chartDir().resolve("ci/minimal-values.yaml")), values);
        JsonNode pod = chart.get("Deployment", RenderedChart.RELEASE).path("spec").path("template").path("spec");
        Path root = Files.createTempDirectory("atpin-chart-pod-");
        container = DeployedContainer.of(chart, pod, root);
        assertThat(container.args()).as("the image's entrypoint runs the server").isEmpty();
        service = ServiceProcess.createAsDeployed("chart-service", container.env());
        service.start(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() throws Exception {
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
    void shouldBeReadyOnTheRenderedProbePaths() {
        JsonNode c = chart.serviceContainer();
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            String path = c.path(probe).path("httpGet").path("path").asText();
            assertThat(service.status(path)).as(probe + " " + path).isEqualTo(200);
        }
    }

    @Test
    void shouldServeThePinningServiceApiWithTokensSignedByTheChartsKey() throws Exception {
        String token = service.mintToken("did:plc:chartsmokeaaaaaaaaaaaaaaa", "read,write");
        String cid = kubo.add("chart smoke test content".getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> accepted = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/psa/pins"))
                .header("Authorization", "Bearer " + token).header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString("{\"cid\":\"" + cid + "\",\"name\":\"chart\"}")).build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(accepted.statusCode()).as(accepted.body()).isEqualTo(202);
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            HttpResponse<String> pinned = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/psa/pins?status=pinned&cid=" + cid))
                    .header("Authorization", "Bearer " + token).GET().build(), HttpResponse.BodyHandlers.ofString());
            assertThat(pinned.statusCode()).isEqualTo(200);
            assertThat(pinned.body()).contains("\"count\":1");
        });
        // the keys are the mounted ones: nothing was generated next to them
        try (var files = Files.list(container.mounted("/etc/atpin/keys"))) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactlyInAnyOrder("api-token-signing.key.pem", "data-keys");
        }
    }

    @Test
    void shouldPublishTheRenderedIdentity() throws Exception {
        HttpResponse<String> did = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/.well-known/did.json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(did.statusCode()).isEqualTo(200);
        assertThat(did.body()).contains("did:web:pin.example.org").contains("https://pin.example.org");
        HttpResponse<String> jwks = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/oauth/jwks.json")).GET().build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(jwks.statusCode()).as(jwks.body()).isEqualTo(200);
        assertThat(jwks.body()).contains("\"kty\":\"EC\"").doesNotContain("\"d\"");
    }

    @Test
    void shouldExportEveryMetricTheAlertsUse() {
        StringBuilder exprs = new StringBuilder();
        for (JsonNode rule : chart.get("PrometheusRule", RenderedChart.RELEASE).path("spec").path("groups").get(0).path("rules")) {
            exprs.append(rule.path("expr").asText()).append('\n');
        }
        Matcher m = Pattern.compile("\\b(atpin_[a-z_]+)").matcher(exprs);
        List<String> metrics = new java.util.ArrayList<>();
        while (m.find()) {
            metrics.add(m.group(1));
        }
        assertThat(metrics).isNotEmpty();
        Awaitility.await().atMost(Duration.ofMinutes(1)).pollInterval(Duration.ofSeconds(2)).untilAsserted(() -> {
            String scraped = HTTP.send(HttpRequest.newBuilder(URI.create(service.baseUrl() + "/q/metrics")).GET().build(),
                    HttpResponse.BodyHandlers.ofString()).body();
            for (String metric : metrics) {
                assertThat(scraped).as(metric).containsPattern("(?m)^" + metric + "[{ ]");
            }
            assertThat(scraped).contains("atpin_kubo_node_healthy{node=\"kubo-0\"} 1.0");
        });
    }
}
