package dev.atpin.chart;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * What the kubelet would give the chart's service container, on this machine: its env (values, and
 * secretKeyRef/configMapKeyRef resolved from the rendered Secrets and ConfigMaps) and its volumes (ConfigMap and
 * Secret items written as files, emptyDirs) under a temp dir standing for the pod's file system. Paths under a
 * mount point, in env values and in mounted files, are moved under that dir: the one change from the pod.
 */
public final class DeployedContainer {

    private final Map<String, String> env = new LinkedHashMap<>();
    private final List<String> args = new ArrayList<>();
    private final Map<String, Path> mounts = new LinkedHashMap<>();

    private DeployedContainer() {
    }

    /** The Deployment's (or Job's) pod spec and its one container, from {@code chart}. */
    public static DeployedContainer of(RenderedChart chart, JsonNode podSpec, Path root) {
        DeployedContainer c = new DeployedContainer();
        JsonNode container = podSpec.path("containers").get(0);
        container.path("args").forEach(a -> c.args.add(a.asText()));
        // longest mount path first, so that nested mounts are moved correctly
        List<JsonNode> volumeMounts = new ArrayList<>();
        container.path("volumeMounts").forEach(volumeMounts::add);
        volumeMounts.sort(Comparator.comparingInt((JsonNode m) -> m.path("mountPath").asText().length()).reversed());
        for (JsonNode mount : volumeMounts) {
            String path = mount.path("mountPath").asText();
            c.mounts.put(path, root.resolve(path.substring(1)));
        }
        for (JsonNode mount : volumeMounts) {
            JsonNode volume = volume(podSpec, mount.path("name").asText());
            c.materialize(chart, volume, c.mounts.get(mount.path("mountPath").asText()));
        }
        for (JsonNode var : container.path("env")) {
            c.env.put(var.path("name").asText(), c.relocate(valueOf(chart, var)));
        }
        return c;
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    public List<String> args() {
        return List.copyOf(args);
    }

    /** Where the container's {@code mountPath} is on this machine. */
    public Path mounted(String mountPath) {
        return mounts.get(mountPath);
    }

    private void materialize(RenderedChart chart, JsonNode volume, Path dir) {
        try {
            Files.createDirectories(dir);
            if (volume.has("configMap")) {
                JsonNode data = chart.get("ConfigMap", volume.path("configMap").path("name").asText()).path("data");
                data.fields().forEachRemaining(e -> write(dir.resolve(e.getKey()), relocate(e.getValue().asText())));
            } else if (volume.has("secret")) {
                JsonNode data = chart.get("Secret", volume.path("secret").path("secretName").asText()).path("data");
                for (JsonNode item : volume.path("secret").path("items")) {
                    JsonNode value = data.path(item.path("key").asText());
                    if (value.isMissingNode()) {
                        throw new AssertionError("Secret item " + item + " is not in the rendered Secret");
                    }
                    write(dir.resolve(item.path("path").asText()), new String(Base64.getDecoder().decode(value.asText()), StandardCharsets.UTF_8));
                }
            } else if (!volume.has("emptyDir")) {
                throw new AssertionError("a volume kind this test does not stand in for: " + volume);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Moves every path under a mount point (longest first, one pass: a moved path is not moved again). */
    private String relocate(String value) {
        String alternatives = String.join("|", mounts.keySet().stream().map(java.util.regex.Pattern::quote).toList());
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("(?<![\\w./-])(" + alternatives + ")(?=/|$|\\s|,)",
                java.util.regex.Pattern.MULTILINE).matcher(value);
        StringBuilder out = new StringBuilder();
        while (m.find()) {
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(mounts.get(m.group(1)).toString()));
        }
        m.appendTail(out);
        return out.toString();
    }

    private static String valueOf(RenderedChart chart, JsonNode var) {
        if (var.has("value")) {
            return var.path("value").asText();
        }
        JsonNode from = var.path("valueFrom");
        if (from.has("secretKeyRef")) {
            JsonNode ref = from.path("secretKeyRef");
            String b64 = chart.get("Secret", ref.path("name").asText()).path("data").path(ref.path("key").asText()).asText();
            return new String(Base64.getDecoder().decode(b64), StandardCharsets.UTF_8);
        }
        if (from.has("configMapKeyRef")) {
            JsonNode ref = from.path("configMapKeyRef");
            return chart.get("ConfigMap", ref.path("name").asText()).path("data").path(ref.path("key").asText()).asText();
        }
        throw new AssertionError("an env source this test does not stand in for: " + var);
    }

    private static JsonNode volume(JsonNode podSpec, String name) {
        for (JsonNode v : podSpec.path("volumes")) {
            if (v.path("name").asText().equals(name)) {
                return v;
            }
        }
        throw new AssertionError("no volume " + name);
    }

    private static void write(Path file, String content) {
        try {
            Files.createDirectories(file.getParent());
            Files.writeString(file, content, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
