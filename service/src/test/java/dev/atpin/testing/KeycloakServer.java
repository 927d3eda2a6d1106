package dev.atpin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A real Keycloak ({@code org.keycloak:keycloak-quarkus-dist}, version in {@code scripts/versions.env}) started by
 * {@code scripts/keycloak.sh} in development mode on free loopback ports, with its own home and data in a
 * throwaway directory. Its admin ({@code admin} in realm {@code master}) has the password made at install, outside
 * the repo ({@code scripts/keycloak.sh admin-password}).
 *
 * <p>Anything that cannot start throws, so the test fails: nothing here ever skips.
 */
public final class KeycloakServer implements AutoCloseable {

    // Keycloak starts in seconds on an idle machine (scripts/keycloak.sh prepared its database at install);
    // a machine shared by many busy builds has been seen to take minutes.
    private static final Duration START_TIMEOUT = Duration.ofMinutes(15);
    private static final SecureRandom RANDOM = new SecureRandom();

    private final Process process;
    private final Path home;
    private final String url;
    private final String adminPassword;

    private KeycloakServer(Process process, Path home, String url, String adminPassword) {
        this.process = process;
        this.home = home;
        this.url = url;
        this.adminPassword = adminPassword;
    }

    /** Downloads and unpacks Keycloak into the cache when needed ({@code scripts/keycloak.sh install}). */
    public static void install() {
        Processes.run(RepoPaths.root(), Map.of(), List.of("bash", "scripts/keycloak.sh", "install"), 1800);
    }

    public static KeycloakServer start() {
        install();
        Path home;
        try {
            home = Files.createTempDirectory("atpin-keycloak-");
        } catch (IOException e) {
            throw new UncheckedIOException("cannot create a temp dir for Keycloak", e);
        }
        int port = freePortPair();
        String password = Processes.run(RepoPaths.root(), Map.of(),
                List.of("bash", "scripts/keycloak.sh", "admin-password"), 1800).strip();
        Path log = home.resolveSibling(home.getFileName() + ".log");
        Process process;
        try {
            // keycloak.sh execs kc.sh, which hands SIGTERM on to the JVM: destroy() below stops Keycloak.
            ProcessBuilder pb = new ProcessBuilder("bash", "scripts/keycloak.sh", "start", String.valueOf(port),
                    home.resolve("server").toString())
                    .directory(RepoPaths.root().toFile())
                    .redirectErrorStream(true)
                    .redirectOutput(log.toFile());
            pb.environment().put("KC_MANAGEMENT_PORT", String.valueOf(port + 1));
            process = pb.start();
            process.getOutputStream().close();
        } catch (IOException e) {
            deleteTree(home);
            throw new IllegalStateException("cannot run scripts/keycloak.sh start", e);
        }
        KeycloakServer server = new KeycloakServer(process, home, "http://127.0.0.1:" + port, password);
        try {
            server.awaitReady(port + 1, log);
            return server;
        } catch (RuntimeException e) {
            server.close();
            throw new IllegalStateException("Keycloak did not start: " + e.getMessage() + "\n" + tail(log), e);
        }
    }

    private void awaitReady(int managementPort, Path log) {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();
        Instant deadline = Instant.now().plus(START_TIMEOUT);
        while (Instant.now().isBefore(deadline)) {
            if (!process.isAlive()) {
                throw new IllegalStateException("it exited with " + process.exitValue());
            }
            try {
                HttpResponse<Void> ready = http.send(HttpRequest.newBuilder(
                        URI.create("http://127.0.0.1:" + managementPort + "/health/ready")).timeout(Duration.ofSeconds(5))
                        .build(), HttpResponse.BodyHandlers.discarding());
                if (ready.statusCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
            try {
                Thread.sleep(500);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("interrupted while waiting for Keycloak", e);
            }
        }
        throw new IllegalStateException("not ready within " + START_TIMEOUT.toSeconds() + " s");
    }

    /** {@code http://127.0.0.1:PORT}: the base of its realms ({@code /realms/<name>}) and admin API. */
    public String url() {
        return url;
    }

    /** The password of its bootstrap admin ({@code admin}) in the master realm. */
    public String adminPassword() {
        return adminPassword;
    }

    /** A fresh random secret of {@code bytes} bytes, hex. */
    public static String secret(int bytes) {
        byte[] b = new byte[bytes];
        RANDOM.nextBytes(b);
        return HexFormat.of().formatHex(b);
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(60, TimeUnit.SECONDS)) {
                    process.descendants().forEach(ProcessHandle::destroyForcibly);
                    process.destroyForcibly();
                    process.waitFor(10, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        deleteTree(home);
        try {
            Files.deleteIfExists(home.resolveSibling(home.getFileName() + ".log"));
        } catch (IOException ignored) {
            // a temp file left behind is harmless
        }
    }

    /** A port whose neighbour is free too: Keycloak's management interface (health) listens on PORT+1. */
    private static int freePortPair() {
        for (int attempt = 0; attempt < 50; attempt++) {
            try (ServerSocket first = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
                int port = first.getLocalPort();
                if (port >= 65535) {
                    continue;
                }
                try (ServerSocket second = new ServerSocket(port + 1, 1, InetAddress.getLoopbackAddress())) {
                    return port;
                } catch (IOException taken) {
                    // try another pair
                }
            } catch (IOException e) {
                throw new UncheckedIOException("no free loopback port", e);
            }
        }
        throw new IllegalStateException("no two free neighbouring loopback ports");
    }

    private static String tail(Path log) {
        try {
            List<String> lines = Files.readAllLines(log);
            return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    private static void deleteTree(Path dir) {
        if (dir == null || !Files.exists(dir)) {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir)) {
            paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException ignored) {
            // a temp dir left behind is harmless
        }
    }
}
