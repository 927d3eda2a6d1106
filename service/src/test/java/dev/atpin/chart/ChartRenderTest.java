package dev.atpin.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.marcnuri.helm.LintResult;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** Every ci/*-values.yaml lints strictly and renders the objects an operator relies on. */
class ChartRenderTest {

    static Stream<Path> ciValues() {
        return RenderedChart.ciValues().stream();
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void shouldLintStrictly(Path values) {
        LintResult lint = RenderedChart.lint(values);
        assertThat(lint.isFailed()).as(String.join("\n", lint.getMessages())).isFalse();
        assertThat(lint.getMessages()).as("lint messages").noneMatch(m -> m.contains("[WARNING]") || m.contains("[ERROR]"));
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void shouldRenderASecureServiceDeployment(Path values) {
        RenderedChart chart = RenderedChart.render(values);
        JsonNode deployment = chart.get("Deployment", RenderedChart.RELEASE);
        JsonNode pod = deployment.path("spec").path("template").path("spec");
        JsonNode container = chart.serviceContainer();

        assertThat(pod.path("securityContext").path("runAsNonRoot").asBoolean()).isTrue();
        assertThat(pod.path("securityContext").path("runAsUser").asInt()).isPositive();
        assertThat(container.path("securityContext").path("readOnlyRootFilesystem").asBoolean()).isTrue();
        assertThat(container.path("securityContext").path("allowPrivilegeEscalation").asBoolean()).isFalse();
        assertThat(container.path("securityContext").path("capabilities").path("drop").toString()).contains("ALL");
        assertThat(container.path("resources").path("limits").path("memory").asText()).isNotEmpty();
        assertThat(container.path("resources").path("requests").path("cpu").asText()).isNotEmpty();

        assertThat(container.path("startupProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/started");
        assertThat(container.path("livenessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/live");
        assertThat(container.path("readinessProbe").path("httpGet").path("path").asText()).isEqualTo("/q/health/ready");
        for (String probe : List.of("startupProbe", "livenessProbe", "readinessProbe")) {
            assertThat(container.path(probe).path("httpGet").path("port").asText()).isEqualTo("http");
        }
        assertThat(container.path("ports").get(0).path("name").asText()).isEqualTo("http");
        assertThat(container.path("ports").get(0).path("containerPort").asInt()).isEqualTo(8080);

        // the graceful shutdown the service is told about ends before the kubelet kills it
        Map<String, String> props = chart.serviceProperties();
        int shutdown = seconds(props.get("quarkus.shutdown.delay")) + seconds(props.get("quarkus.shutdown.timeout"));
        assertThat(pod.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(shutdown);
        assertThat(props).containsEntry("quarkus.http.host", "0.0.0.0").containsEntry("quarkus.http.port", "8080");
        assertThat(props).containsEntry("quarkus.log.console.json.enabled", "true");
        assertThat(pod.path("topologySpreadConstraints").size()).isPositive();

        // the only writable paths: /tmp (emptyDir); the rest are read-only ConfigMap and Secret mounts
        for (JsonNode mount : container.path("volumeMounts")) {
            if (!mount.path("mountPath").asText().equals("/tmp")) {
                assertThat(mount.path("readOnly").asBoolean()).as(mount.toString()).isTrue();
            }
        }
        assertThat(pod.path("metadata").isMissingNode()).isTrue();
        JsonNode annotations = deployment.path("spec").path("template").path("metadata").path("annotations");
        assertThat(annotations.has("checksum/config")).isTrue();
        assertThat(annotations.has("checksum/secret")).isTrue();
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void shouldReferenceSecretsWithoutInliningThem(Path values) {
        RenderedChart chart = RenderedChart.render(values);
        JsonNode container = chart.serviceContainer();
        List<String> secretEnv = new ArrayList<>();
        for (JsonNode env : container.path("env")) {
            String name = env.path("name").asText();
            if (name.contains("PASSWORD") || name.contains("SECRET")) {
                assertThat(env.has("value")).as(name + " must come from a Secret").isFalse();
                assertThat(env.path("valueFrom").path("secretKeyRef").path("name").asText()).isNotEmpty();
                secretEnv.add(name);
            }
        }
        assertThat(secretEnv).contains("QUARKUS_DATASOURCE_PASSWORD");
        String config = chart.get("ConfigMap", RenderedChart.RELEASE).toString();
        assertThat(config).doesNotContainIgnoringCase("password").doesNotContain("PRIVATE KEY");
    }

    private static int seconds(String duration) {
        assertThat(duration).endsWith("s");
        return Integer.parseInt(duration.substring(0, duration.length() - 1));
    }
}
