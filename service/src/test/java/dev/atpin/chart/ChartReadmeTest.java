package dev.atpin.chart;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * The values table of helm/atpin/README.md is generated from the {@code # --} comments of values.yaml (the
 * helm-docs convention) and this test keeps it in sync: it fails when they differ, and with
 * {@code -Datpin.chart.readme.write=true} it rewrites the table.
 */
class ChartReadmeTest {

    private static final String BEGIN = "<!-- values table: generated from values.yaml by ChartReadmeTest -->";
    private static final String END = "<!-- end of values table -->";
    private static final Pattern KEY = Pattern.compile("^( *)([A-Za-z0-9_-]+):.*$");

    @Test
    void shouldDocumentEveryValueAsValuesYamlDoes() throws IOException {
        Path readme = RenderedChart.chartDir().resolve("README.md");
        String text = Files.readString(readme, StandardCharsets.UTF_8);
        int begin = text.indexOf(BEGIN);
        int end = text.indexOf(END);
        assertThat(begin).as("README has the table markers").isNotNegative();
        assertThat(end).isGreaterThan(begin);
        String table = table();
        String current = text.substring(begin + BEGIN.length(), end).strip();
        if (Boolean.getBoolean("atpin.chart.readme.write")) {
            Files.writeString(readme, text.substring(0, begin + BEGIN.length()) + "\n" + table + "\n" + text.substring(end),
                    StandardCharsets.UTF_8);
            return;
        }
        assertThat(current).as("README values table (regenerate with -Datpin.chart.readme.write=true)").isEqualTo(table);
    }

    @Test
    void shouldDocumentEveryTopLevelKeyOfTheSchema() throws IOException {
        JsonNode schema = new YAMLMapper().readTree(RenderedChart.chartDir().resolve("values.schema.json").toFile());
        JsonNode values = new YAMLMapper().readTree(RenderedChart.chartDir().resolve("values.yaml").toFile());
        List<String> schemaKeys = iterable(schema.path("properties").fieldNames());
        List<String> valueKeys = iterable(values.fieldNames());
        assertThat(schemaKeys).containsExactlyInAnyOrderElementsOf(valueKeys);
        assertThat(schema.path("additionalProperties").asBoolean(true)).isFalse();
    }

    /** key | default | description, one row per documented key. */
    static String table() throws IOException {
        Path valuesFile = RenderedChart.chartDir().resolve("values.yaml");
        JsonNode values = new YAMLMapper().readTree(valuesFile.toFile());
        StringBuilder out = new StringBuilder("| key | default | description |\n|---|---|---|\n");
        Deque<String[]> parents = new ArrayDeque<>(); // {indent, key}
        StringBuilder doc = null;
        for (String line : Files.readAllLines(valuesFile, StandardCharsets.UTF_8)) {
            String trimmed = line.strip();
            if (trimmed.startsWith("# --")) {
                doc = new StringBuilder(trimmed.substring(4).strip());
                continue;
            }
            if (doc != null && trimmed.startsWith("#") && !trimmed.startsWith("##")) {
                doc.append(' ').append(trimmed.substring(1).strip());
                continue;
            }
            Matcher key = KEY.matcher(line);
            if (!key.matches()) {
                continue;
            }
            int indent = key.group(1).length();
            while (!parents.isEmpty() && Integer.parseInt(parents.peek()[0]) >= indent) {
                parents.pop();
            }
            parents.push(new String[] {Integer.toString(indent), key.group(2)});
            if (doc != null) {
                List<String> path = parents.stream().map(p -> p[1]).toList().reversed();
                JsonNode value = values;
                for (String p : path) {
                    value = value.path(p);
                }
                String shown = value.isTextual() ? "\"" + value.asText() + "\"" : value.toString();
                out.append("| `").append(String.join(".", path)).append("` | `").append(shown.replace("|", "\\|"))
                        .append("` | ").append(doc.toString().replace("|", "\\|")).append(" |\n");
                doc = null;
            }
        }
        return out.toString().strip();
    }

    private static List<String> iterable(java.util.Iterator<String> it) {
        List<String> list = new java.util.ArrayList<>();
        it.forEachRemaining(list::add);
        return list;
    }
}
