package dev.atpin.loadtests.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs one Gatling simulation in this JVM (its console prints progress every few seconds) and
 * reads the figures of each request name back from its HTML report.
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
                    .filter(d -> Files.exists(d.resolve("index.html")))
                    .max(Comparator.comparing(d -> d.getFileName().toString()))
                    .orElseThrow(() -> new IOException("no Gatling report for " + simulation.getSimpleName() + " in " + resultsDir));
        }
    }

    private static final Pattern NAME = Pattern.compile("class=\"ellipsed-name\">([^<]*)</span>");
    private static final Pattern CELL = Pattern.compile("col-(\\d+)\">([^<]*)</td>");

    /**
     * Reads the statistics table of the report's {@code index.html} (Gatling 3.14 renders its figures
     * into the page only): per request name the counts, the rate and the percentiles over all requests.
     */
    static Map<String, Figures> read(Path report) throws IOException {
        String html = Files.readString(report.resolve("index.html"));
        Map<String, Figures> out = new LinkedHashMap<>();
        for (String row : html.split("<tr")) {
            Matcher name = NAME.matcher(row);
            if (!name.find()) {
                continue;
            }
            Map<Integer, Double> cells = new java.util.HashMap<>();
            Matcher cell = CELL.matcher(row);
            while (cell.find()) {
                String v = cell.group(2).strip().replace(",", "");
                cells.put(Integer.parseInt(cell.group(1)), v.isEmpty() || v.equals("-") ? 0 : Double.parseDouble(v));
            }
            double total = cells.getOrDefault(2, 0.0);
            double ok = cells.getOrDefault(3, 0.0);
            double perSecond = cells.getOrDefault(6, 0.0);
            out.putIfAbsent(unescape(name.group(1)), new Figures((long) ok, (long) (total - ok),
                    total == 0 ? 0 : perSecond * ok / total, cells.getOrDefault(8, 0.0), cells.getOrDefault(11, 0.0),
                    cells.getOrDefault(13, 0.0)));
        }
        if (!out.containsKey("All Requests")) {
            throw new IOException("no statistics table in " + report.resolve("index.html"));
        }
        return out;
    }

    private static String unescape(String html) {
        return html.replace("&lt;", "<").replace("&gt;", ">").replace("&quot;", "\"").replace("&#39;", "'")
                .replace("&amp;", "&");
    }
}
