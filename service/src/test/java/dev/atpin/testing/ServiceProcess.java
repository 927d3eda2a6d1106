package dev.atpin.testing;

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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * The packaged service ({@code service/target/quarkus-app/quarkus-run.jar}) as a child process,
 * for tests that need what an in-JVM {@code @QuarkusTest} cannot give: kill -9 and restart, two
 * replicas side by side, or a start from exactly the environment a deployment renders.
 *
 * <p>Configuration is passed as environment variables only (as a container would get it), in a
 * working directory of its own so that relative paths ({@code .atpin/...}) never touch the repo.
 * The process' output goes to {@link #log()}; a start that does not become ready in time fails
 * with the tail of that log.
 *
 * <p>These tests run after {@code package}: name them {@code *IT} (maven-failsafe-plugin), so
 * that the jar they start is the one this build just produced.
 */
public final class ServiceProcess implements AutoCloseable {

    /** Set by the failsafe configuration; the default is the jar of this checkout. */
    public static final String JAR_PROPERTY = "atpin.service.jar";

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    private final String name;
    private final Path workDir;
    private final Map<String, String> env;
    private final int port;
    private final Path log;
    private Process process;

    private ServiceProcess(String name, Path workDir, Map<String, String> env, int port) {
        this.name = name;
        this.workDir = workDir;
        this.env = env;
        this.port = port;
        this.log = workDir.resolve(name + ".log");
    }

    /**
     * A service named {@code name} (its log file, its lease owner id) with {@code env} on top of
     * a loopback listener on a free port. Not started yet: call {@link #start()}.
     */
    public static ServiceProcess create(String name, Map<String, String> env) {
        return create(name, env, true);
    }

    /**
     * A service with exactly {@code env} (as a Deployment's container gets it), plus only what stands in for the
     * pod's own network: a loopback listener on a free port. No key directories of ours: the settings say where.
     */
    public static ServiceProcess createAsDeployed(String name, Map<String, String> env) {
        return create(name, env, false);
    }

    private static ServiceProcess create(String name, Map<String, String> env, boolean ourKeyDirs) {
        try {
            Path dir = Files.createTempDirectory("atpin-service-" + name + "-");
            Map<String, String> all = new LinkedHashMap<>();
            int port = freePort();
            all.put("QUARKUS_HTTP_HOST", "127.0.0.1");
            all.put("QUARKUS_HTTP_PORT", Integer.toString(port));
            if (ourKeyDirs) {
                all.put("ATPIN_DISPATCH_INSTANCE_ID", name);
                all.put("ATPIN_AUTH_KEY_DIR", dir.resolve("keys").toString());
                all.put("ATPIN_OAUTH_KEY_DIR", dir.resolve("oauth-keys").toString());
            }
            all.putAll(env);
            if (all.containsKey("QUARKUS_HTTP_PORT")) {
                port = Integer.parseInt(all.get("QUARKUS_HTTP_PORT"));
            }
            return new ServiceProcess(name, dir, all, port);
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a work dir for service " + name, e);
        }
    }

    /** The jar this build produced. */
    public static Path jar() {
        Path jar = Path.of(System.getProperty(JAR_PROPERTY,
                RepoPaths.root().resolve("service/target/quarkus-app/quarkus-run.jar").toString()));
        if (!Files.isRegularFile(jar)) {
            throw new IllegalStateException("no packaged service at " + jar + " (process tests run after `package`: name them *IT)");
        }
        return jar;
    }

    /** Starts the process and waits (up to {@code timeout}) until {@code /q/health/ready} answers 200. */
    public ServiceProcess start(Duration timeout) {
        launch(List.of());
        awaitReady(timeout);
        return this;
    }

    public ServiceProcess start() {
        return start(Duration.ofMinutes(2));
    }

    /** Starts it again after {@link #kill()} or {@link #stop()}, same environment and work dir. */
    public ServiceProcess restart(Duration timeout) {
        if (isAlive()) {
            throw new IllegalStateException(name + " is still running");
        }
        return start(timeout);
    }

    /**
     * Runs the jar once with {@code args} (an operator command such as {@code mint-token}) in the
     * same environment, and returns its standard output.
     */
    public String runCommand(String... args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar().toString()));
        command.addAll(List.of(args));
        Map<String, String> commandEnv = new LinkedHashMap<>(env);
        commandEnv.remove("QUARKUS_HTTP_PORT");
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile())
                    .redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(commandEnv);
            Process p = pb.start();
            p.getOutputStream().close();
            byte[] out = p.getInputStream().readAllBytes();
            if (!p.waitFor(120, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                throw new IllegalStateException("timed out: " + args[0] + "\n" + logTail());
            }
            if (p.exitValue() != 0) {
                throw new IllegalStateException(args[0] + " failed (exit " + p.exitValue() + ")\n" + logTail());
            }
            return new String(out, StandardCharsets.UTF_8).strip();
        } catch (IOException e) {
            throw new IllegalStateException("cannot run " + args[0], e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted", e);
        }
    }

    /** A Pinning Service API token for {@code did}, minted by the operator CLI against the same database. */
    public String mintToken(String did, String scopes) {
        return runCommand("mint-token", did, scopes);
    }

    /** kill -9: no shutdown hook runs, nothing is flushed. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            waitForExit(Duration.ofSeconds(30));
        }
    }

    /** SIGTERM and wait for the graceful shutdown to finish. */
    public void stop() {
        if (process != null && process.isAlive()) {
            process.destroy();
            if (!waitForExit(Duration.ofSeconds(60))) {
                process.destroyForcibly();
                waitForExit(Duration.ofSeconds(30));
            }
        }
    }

    @Override
    public void close() {
        stop();
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    public String baseUrl() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public String name() {
        return name;
    }

    public Path workDir() {
        return workDir;
    }

    public Path log() {
        return log;
    }

    public Map<String, String> env() {
        return Map.copyOf(env);
    }

    /** HTTP status of {@code GET path} on this service, or -1 when nothing answers. */
    public int status(String path) {
        try {
            HttpRequest request = HttpRequest.newBuilder(URI.create(baseUrl() + path)).timeout(Duration.ofSeconds(5)).GET().build();
            return HTTP.send(request, HttpResponse.BodyHandlers.discarding()).statusCode();
        } catch (IOException e) {
            return -1;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return -1;
        }
    }

    /** The last lines of the process' log, for failure messages. */
    public String logTail() {
        try {
            List<String> lines = Files.exists(log) ? Files.readAllLines(log) : List.of();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 60), lines.size()));
        } catch (IOException e) {
            return "(log unreadable: " + e.getMessage() + ")";
        }
    }

    private void launch(List<String> args) {
        List<String> command = new ArrayList<>(List.of(javaBinary(), "-jar", jar().toString()));
        command.addAll(args);
        try {
            ProcessBuilder pb = new ProcessBuilder(command).directory(workDir.toFile()).redirectErrorStream(true)
                    .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
            pb.environment().putAll(env);
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start service " + name, e);
        }
    }

    private void awaitReady(Duration timeout) {
        Instant deadline = Instant.now().plus(timeout);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("service " + name + " exited (" + process.exitValue() + ") before it was ready\n" + logTail());
            }
            if (status("/q/health/ready") == 200) {
                return;
            }
            sleep(Duration.ofMillis(250));
        }
        kill();
        throw new IllegalStateException("service " + name + " not ready within " + timeout + "\n" + logTail());
    }

    private boolean waitForExit(Duration timeout) {
        try {
            return process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    private static String javaBinary() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0)) {
            socket.setReuseAddress(true);
            return socket.getLocalPort();
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
