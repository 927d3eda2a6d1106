package dev.atpin.chart;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import com.marcnuri.helm.Helm;
import com.marcnuri.helm.LintResult;
import com.marcnuri.helm.TemplateCommand;
import dev.atpin.testing.RepoPaths;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The chart in {@code helm/atpin} rendered by Helm itself (helm-java: Helm's Go code in a Maven jar), as the
 * manifests {@code helm template} prints, parsed.
 */
public final class RenderedChart {

    public static final String RELEASE = "atpin";
    public static final String NAMESPACE = "pins";
    /** The Kubernetes version rendered for and validated against (its OpenAPI schemas ship with kubernetes-validate). */
    public static final String KUBE_VERSION = "1.34.0";
    private static final YAMLMapper YAML = new YAMLMapper();

    private final String text;
    private final List<JsonNode> manifests;

    private RenderedChart(String text, List<JsonNode> manifests) {
        this.text = text;
        this.manifests = manifests;
    }

    public static Path chartDir() {
        return RepoPaths.root().resolve("helm/atpin");
    }

    /** The chart's ci/*-values.yaml files. */
    public static List<Path> ciValues() {
        try (Stream<Path> files = Files.list(chartDir().resolve("ci"))) {
            return files.filter(f -> f.getFileName().toString().endsWith("-values.yaml")).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code helm template atpin helm/atpin -n pins -f <file>... --set k=v...}. */
    public static RenderedChart render(List<Path> valuesFiles, Map<String, Object> sets) {
        KubeApiStub.get();
        TemplateCommand template = new Helm(chartDir()).template().withName(RELEASE).withNamespace(NAMESPACE)
                .withKubeVersion(KUBE_VERSION);
        for (Path file : valuesFiles) {
            template = template.withValuesFile(file);
        }
        for (Map.Entry<String, Object> set : sets.entrySet()) {
            template = template.set(set.getKey(), set.getValue());
        }
        String text = template.call();
        List<JsonNode> docs = new ArrayList<>();
        try {
            Iterator<JsonNode> it = YAML.readerFor(JsonNode.class).readValues(new YAMLFactory().createParser(text));
            while (it.hasNext()) {
                JsonNode doc = it.next();
                if (doc != null && doc.isObject() && doc.has("kind")) {
                    docs.add(doc);
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("helm template printed no YAML:\n" + text, e);
        }
        return new RenderedChart(text, List.copyOf(docs));
    }

    public static RenderedChart render(Path valuesFile) {
        return render(List.of(valuesFile), Map.of());
    }

    /**
     * {@code helm lint --strict -f <file>}: helm-java's lint takes no values file, so the chart is copied with
     * the file merged into its values.yaml (what {@code -f} does).
     */
    public static LintResult lint(Path valuesFile) {
        try {
            Path copy = Files.createTempDirectory("atpin-chart-").resolve("atpin");
            copyTree(chartDir(), copy);
            ObjectNode defaults = (ObjectNode) YAML.readTree(chartDir().resolve("values.yaml").toFile());
            merge(defaults, YAML.readTree(valuesFile.toFile()));
            YAML.writeValue(copy.resolve("values.yaml").toFile(), defaults);
            return new Helm(copy).lint().strict().call();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    public String text() {
        return text;
    }

    public List<JsonNode> manifests() {
        return manifests;
    }

    public List<JsonNode> ofKind(String kind) {
        return manifests.stream().filter(m -> m.path("kind").asText().equals(kind)).toList();
    }

    public Optional<JsonNode> find(String kind, String name) {
        return ofKind(kind).stream().filter(m -> m.path("metadata").path("name").asText().equals(name)).findFirst();
    }

    public JsonNode get(String kind, String name) {
        return find(kind, name).orElseThrow(() -> new AssertionError("no " + kind + " " + name + " rendered; have "
                + manifests.stream().map(m -> m.path("kind").asText() + "/" + m.path("metadata").path("name").asText()).toList()));
    }

    /** The service Deployment's one container. */
    public JsonNode serviceContainer() {
        return get("Deployment", RELEASE).path("spec").path("template").path("spec").path("containers").get(0);
    }

    /** The service's settings file (the ConfigMap's atpin.properties) as key → value. */
    public Map<String, String> serviceProperties() {
        String file = get("ConfigMap", RELEASE).path("data").path("atpin.properties").asText();
        Map<String, String> props = new java.util.LinkedHashMap<>();
        for (String line : file.split("\n")) {
            if (!line.isBlank() && !line.startsWith("#")) {
                int eq = line.indexOf('=');
                props.put(line.substring(0, eq), line.substring(eq + 1));
            }
        }
        return props;
    }

    static ObjectMapper json() {
        return new ObjectMapper();
    }

    private static void merge(ObjectNode into, JsonNode from) {
        from.fields().forEachRemaining(e -> {
            JsonNode old = into.get(e.getKey());
            if (old instanceof ObjectNode o && e.getValue().isObject()) {
                merge(o, e.getValue());
            } else {
                into.set(e.getKey(), e.getValue());
            }
        });
    }

    private static void copyTree(Path from, Path to) throws IOException {
        try (Stream<Path> all = Files.walk(from)) {
            for (Path p : all.toList()) {
                Path target = to.resolve(from.relativize(p).toString());
                if (Files.isDirectory(p)) {
                    Files.createDirectories(target);
                } else {
                    Files.copy(p, target);
                }
            }
        }
    }
}
