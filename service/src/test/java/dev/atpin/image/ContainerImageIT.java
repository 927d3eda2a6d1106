package dev.atpin.image;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.RepoPaths;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * The container image the build makes (Quarkus' Jib extension, no Docker engine to assemble it), on a base
 * assembled here from the local JDK ({@code scripts/image-base.sh}: registry images cannot be pulled), saved as an
 * OCI tarball and inspected: non-root user, the {@code java -jar quarkus-run.jar} entrypoint, port 8080, the
 * application in layers of its own. Then it is booted with runc (read-only root file system, a tmpfs at /tmp,
 * the host's loopback network) against the test's PostgreSQL and Kubo, until ready.
 *
 * <p>podman is only the image store Jib loads into; the container is started with runc directly from an OCI spec
 * without {@code rlimits}: in this sandbox podman's own runs fail because every rlimit it asks runc to set
 * (nofile, nproc, even at the current values) is refused ("error setting rlimit type 6: operation not permitted").
 */
class ContainerImageIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    @Test
    void shouldBuildANonRootImageThatBootsReadyOnAReadOnlyRootFileSystem() throws Exception {
        Path out = Files.createDirectories(RepoPaths.root().resolve("service/target/image"));
        String tag = "it-" + System.currentTimeMillis();
        String image = "atpin/atpin:" + tag;
        run(RepoPaths.root(), Duration.ofMinutes(5), List.of(RepoPaths.root().resolve("scripts/image-base.sh").toString(),
                out.resolve("base.tar").toString()));
        try {
            run(RepoPaths.root(), Duration.ofMinutes(10), List.of(RepoPaths.root().resolve("mvnw").toString(), "-B", "-q", "-ntp", "-o",
                    "-pl", "service", "package", "-DskipTests", "-Dquarkus.container-image.build=true",
                    "-Dquarkus.container-image.tag=" + tag, "-Dquarkus.jib.docker-executable-name=podman",
                    "-Dquarkus.jib.base-jvm-image=tar://" + out.resolve("base.tar")));
            Path oci = out.resolve("atpin.oci.tar");
            Files.deleteIfExists(oci);
            run(out, Duration.ofMinutes(5), List.of("podman", "save", "--format", "oci-archive", "-o", oci.toString(), image));

            JsonNode config = inspect(oci, out.resolve("oci"));
            JsonNode c = config.path("config");
            assertThat(c.path("User").asText()).isEqualTo("185");
            assertThat(c.path("ExposedPorts").has("8080/tcp")).isTrue();
            assertThat(c.path("Entrypoint").toString()).contains("\"java\"").contains("\"-jar\"").contains("quarkus-run.jar");
            assertThat(c.path("Env").toString()).contains("JAVA_TOOL_OPTIONS=-XX:MaxRAMPercentage=");
            // base + the fast-jar's lib, boot, quarkus-run.jar, quarkus, app: dependencies change apart from our code
            assertThat(config.path("rootfs").path("diff_ids").size()).isGreaterThanOrEqualTo(5);

            boot(image, c, out.resolve("bundle"));
        } finally {
            runQuietly(out, List.of("podman", "rmi", "-f", image));
        }
    }

    private static void boot(String image, JsonNode imageConfig, Path bundle) throws Exception {
        EmbeddedPostgres postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-image-pg-").resolve("data"), 0, false);
        KuboDaemon kubo = KuboDaemon.start("image-node");
        String id = "atpin-image-it-" + ProcessHandle.current().pid();
        Process container = null;
        try {
            deleteTree(bundle);
            Path rootfs = Files.createDirectories(bundle.resolve("rootfs"));
            String created = run(bundle, Duration.ofMinutes(2), List.of("podman", "create", image)).strip();
            Path export = bundle.resolve("rootfs.tar");
            run(bundle, Duration.ofMinutes(5), List.of("podman", "export", "-o", export.toString(), created));
            run(bundle, Duration.ofMinutes(2), List.of("podman", "rm", created));
            run(bundle, Duration.ofMinutes(5), List.of("tar", "-C", rootfs.toString(), "-xf", export.toString()));
            Files.delete(export);
            run(bundle, Duration.ofMinutes(1), List.of("runc", "spec"));

            int port = freePort();
            ObjectNode spec = (ObjectNode) JSON.readTree(bundle.resolve("config.json").toFile());
            ObjectNode process = (ObjectNode) spec.path("process");
            process.remove("rlimits");
            process.put("terminal", false);
            process.putObject("user").put("uid", 185).put("gid", 185);
            process.put("cwd", imageConfig.path("WorkingDir").asText());
            ArrayNode args = process.putArray("args");
            imageConfig.path("Entrypoint").forEach(args::add);
            ArrayNode env = process.putArray("env");
            imageConfig.path("Env").forEach(env::add);
            env.add("QUARKUS_HTTP_HOST=127.0.0.1").add("QUARKUS_HTTP_PORT=" + port)
                    .add("QUARKUS_DATASOURCE_JDBC_URL=" + EmbeddedDatabase.jdbcUrl(postgres))
                    .add("QUARKUS_DATASOURCE_USERNAME=postgres").add("QUARKUS_DATASOURCE_PASSWORD=postgres")
                    .add("ATPIN_KUBO_NODES_NODE0_RPC_URL=" + kubo.apiUrl())
                    .add("ATPIN_AUTH_KEY_DIR=/tmp/keys").add("ATPIN_OAUTH_KEY_DIR=/tmp/oauth-keys");
            ((ObjectNode) spec.path("root")).put("readonly", true);
            ArrayNode mounts = (ArrayNode) spec.path("mounts");
            mounts.addObject().put("destination", "/tmp").put("type", "tmpfs").put("source", "tmpfs")
                    .putArray("options").add("nosuid").add("nodev").add("mode=1777");
            // the host's network: the test's PostgreSQL and Kubo listen on its loopback
            ArrayNode namespaces = (ArrayNode) spec.path("linux").path("namespaces");
            for (int i = namespaces.size() - 1; i >= 0; i--) {
                if (namespaces.get(i).path("type").asText().equals("network")) {
                    namespaces.remove(i);
                }
            }
            JSON.writerWithDefaultPrettyPrinter().writeValue(bundle.resolve("config.json").toFile(), spec);

            Path log = bundle.getParent().resolve("container.log");
            container = new ProcessBuilder("runc", "run", id).directory(bundle.toFile()).redirectErrorStream(true)
                    .redirectOutput(log.toFile()).start();
            Instant deadline = Instant.now().plus(Duration.ofMinutes(3));
            int ready = -1;
            while (Instant.now().isBefore(deadline) && container.isAlive()) {
                ready = status("http://127.0.0.1:" + port + "/q/health/ready");
                if (ready == 200) {
                    break;
                }
                Thread.sleep(500);
            }
            assertThat(ready).as("ready from the image\n" + tail(log)).isEqualTo(200);
            assertThat(status("http://127.0.0.1:" + port + "/q/health/live")).isEqualTo(200);
        } finally {
            runQuietly(bundle, List.of("runc", "kill", id, "KILL"));
            if (container != null) {
                container.waitFor(30, TimeUnit.SECONDS);
            }
            runQuietly(bundle, List.of("runc", "delete", "-f", id));
            kubo.close();
            postgres.close();
            deleteTree(bundle);
        }
    }

    /** Unpacks the OCI archive and returns the image's config (index → manifest → config blob). */
    private static JsonNode inspect(Path archive, Path dir) throws Exception {
        deleteTree(dir);
        Files.createDirectories(dir);
        run(dir, Duration.ofMinutes(5), List.of("tar", "-C", dir.toString(), "-xf", archive.toString()));
        JsonNode index = JSON.readTree(dir.resolve("index.json").toFile());
        JsonNode manifest = JSON.readTree(blob(dir, index.path("manifests").get(0).path("digest").asText()).toFile());
        JsonNode config = JSON.readTree(blob(dir, manifest.path("config").path("digest").asText()).toFile());
        assertThat(manifest.path("layers").size()).isEqualTo(config.path("rootfs").path("diff_ids").size());
        deleteTree(dir);
        return config;
    }

    private static Path blob(Path dir, String digest) {
        String[] parts = digest.split(":", 2);
        return dir.resolve("blobs").resolve(parts[0]).resolve(parts[1]);
    }

    private static String run(Path dir, Duration timeout, List<String> command) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().put("JAVA_HOME", System.getProperty("java.home"));
        Process p = pb.start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toSeconds(), TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        String text = new String(out, StandardCharsets.UTF_8);
        assertThat(p.exitValue()).as(command + "\n" + text).isZero();
        return text;
    }

    private static void runQuietly(Path dir, List<String> command) {
        try {
            Process p = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true).start();
            p.getInputStream().readAllBytes();
            p.waitFor(30, TimeUnit.SECONDS);
        } catch (IOException | InterruptedException e) {
            // best effort: the container may be gone already
        }
    }

    private static int status(String url) {
        try {
            return HTTP.send(HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5)).GET().build(),
                    HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    private static String tail(Path log) throws IOException {
        if (!Files.exists(log)) {
            return "(no log)";
        }
        String text = Files.readString(log, StandardCharsets.UTF_8);
        return text.substring(Math.max(0, text.length() - 4000));
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static void deleteTree(Path dir) throws IOException {
        if (Files.exists(dir)) {
            try (var walk = Files.walk(dir)) {
                for (Path p : walk.sorted(java.util.Comparator.reverseOrder()).toList()) {
                    Files.delete(p);
                }
            }
        }
    }
}
