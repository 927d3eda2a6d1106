package dev.atpin.loadtests.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Runs one Gatling simulation in this JVM (its console prints progress every few seconds) and
 * reads the figures of each request name back from the HTML report's {@code js/stats.json}.
 */
final class GatlingRun {

    /** What Gatling measured for one request name: successful requests only. */
    record Figures(long ok, long ko, double okPerSecond, double p50, double p99, double mean) {}

    private GatlingRun() {}

    /**
     * @param properties {@code bench.*} system properties the simulation reads
     * @return figures by request name, plus {@code "All Requests"}
     */
    static Map<String, Figures> run(Class<?> simulation, String description, Path resultsDir, Map<String, String> properties) {
        properties.forEach(System::setProperty);
        try {
            Files.createDirectories(resultsDir);
            int status = io.gatling.app.Gatling$.MODULE$.fromArgs(new String[] {
                    "-s", simulation.getName(), "-rf", resultsDir.toString(), "-rd", description});
            if (status != 0 && status != 2) { // 2: assertions failed, there are none: anything else is an error
                throw new IllegalStateException("Gatling failed (status " + status + ") running " + simulation.getSimpleName());
            }
            return read(latestReport(resultsDir, simulation));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } finally {
            properties.keySet().forEach(System::clearProperty);
        }
    }

    static Path latestReport(Path resultsDir, Class<?> simulation) throws IOException {
        String prefix = simulation.getSimpleName().toLowerCase();
        try (Stream<Path> dirs = Files.list(resultsDir)) {
            return dirs.filter(d -> d.getFileName().toString().toLowerCase().startsWith(prefix))
                    .filter(d -> Files.exists(d.resolve("js/stats.json")))
                    .max(Comparator.comparing(d -> d.toFile().lastModified()))
                    .orElseThrow(() -> new IOException("no Gatling report for " + simulation.getSimpleName() + " in " + resultsDir));
        }
    }

    static Map<String, Figures> read(Path report) throws IOException {
        JsonNode root = new ObjectMapper().readTree(report.resolve("js/stats.json").toFile());
        Map<String, Figures> out = new LinkedHashMap<>();
        out.put("All Requests", figures(root.path("stats")));
        root.path("contents").forEach(entry -> out.put(entry.path("stats").path("name").asText(), figures(entry.path("stats"))));
        return out;
    }

    private static Figures figures(JsonNode stats) {
        return new Figures(
                stats.path("numberOfRequests").path("ok").asLong(),
                stats.path("numberOfRequests").path("ko").asLong(),
                number(stats.path("meanNumberOfRequestsPerSecond").path("ok")),
                number(stats.path("percentiles1").path("ok")),
                number(stats.path("percentiles4").path("ok")),
                number(stats.path("meanResponseTime").path("ok")));
    }

    private static double number(JsonNode n) {
        return n.isNumber() ? n.asDouble() : n.isTextual() && !n.asText().equals("-") ? Double.parseDouble(n.asText()) : 0;
    }
}
