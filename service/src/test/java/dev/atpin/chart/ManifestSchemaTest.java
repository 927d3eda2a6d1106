package dev.atpin.chart;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.testing.RepoPaths;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Every manifest the chart renders for each ci values file is valid against the Kubernetes OpenAPI schemas of
 * {@link RenderedChart#KUBE_VERSION}, strictly (an unknown field fails), offline: kubernetes-validate from PyPI
 * ({@code scripts/manifests.sh}). The Prometheus Operator and Gateway API kinds are CRDs, which it has no
 * schemas for; they are the only kinds allowed to go unchecked.
 */
class ManifestSchemaTest {

    private static final List<String> CRD_KINDS = List.of("ServiceMonitor", "PrometheusRule", "HTTPRoute");

    static Stream<Path> ciValues() {
        return RenderedChart.ciValues().stream();
    }

    @ParameterizedTest
    @MethodSource("ciValues")
    void shouldRenderOnlyManifestsValidAgainstTheKubernetesSchemas(Path values) throws Exception {
        RenderedChart chart = RenderedChart.render(values);
        Result result = validate(values.getFileName().toString(), chart.text());
        assertThat(result.exit()).as(result.output()).isZero();
        for (String line : result.output().lines().toList()) {
            if (line.startsWith("WARN")) {
                assertThat(CRD_KINDS).as(line).anyMatch(kind -> line.contains("kind " + kind + " "));
            }
            assertThat(line).doesNotStartWith("ERROR");
        }
        assertThat(result.output()).contains("passed for resource deployment/atpin against version " + RenderedChart.KUBE_VERSION.replaceAll("\\.0$", ""));
    }

    @Test
    void shouldFailAManifestWithAnUnknownField() throws Exception {
        String text = RenderedChart.render(RenderedChart.chartDir().resolve("ci/minimal-values.yaml")).text()
                .replaceFirst("terminationGracePeriodSeconds:", "terminationGracePeriod: 3\n      terminationGracePeriodSeconds:");
        Result result = validate("unknown-field.yaml", text);
        assertThat(result.exit()).as(result.output()).isNotZero();
        assertThat(result.output()).contains("terminationGracePeriod");
    }

    record Result(int exit, String output) {
    }

    private static Result validate(String name, String manifests) throws IOException, InterruptedException {
        Path dir = RepoPaths.root().resolve("service/target/chart-tests");
        Files.createDirectories(dir);
        Path file = dir.resolve(name);
        Files.writeString(file, manifests, StandardCharsets.UTF_8);
        List<String> command = new ArrayList<>(List.of(RepoPaths.root().resolve("scripts/manifests.sh").toString(),
                "validate", "--strict", "-k", RenderedChart.KUBE_VERSION, file.toString()));
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        process.getOutputStream().close();
        String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!process.waitFor(10, TimeUnit.MINUTES)) {
            process.destroyForcibly();
            throw new AssertionError("kubernetes-validate did not finish:\n" + output);
        }
        return new Result(process.exitValue(), output);
    }
}
