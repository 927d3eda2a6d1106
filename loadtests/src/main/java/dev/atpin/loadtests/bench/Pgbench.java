package dev.atpin.loadtests.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * {@code pgbench} against the same PostgreSQL, with custom scripts: what the database itself does
 * per second with the same number of clients. Any pgbench works (it speaks the wire protocol);
 * Debian's comes with {@code postgresql-contrib}, which the runner installs when none is found.
 */
final class Pgbench {

    record Result(double tps, double latencyMillis) {}

    private final Path binary;

    private Pgbench(Path binary) {
        this.binary = binary;
    }

    static Pgbench find(Progress progress) {
        Path found = locate();
        if (found == null && "root".equals(System.getProperty("user.name")) && Files.isExecutable(Path.of("/usr/bin/apt-get"))) {
            progress.step("pgbench not found: installing Debian's postgresql-contrib");
            Processes.run(Path.of("."), Map.of("DEBIAN_FRONTEND", "noninteractive"), "bash", "-c",
                    "apt-get update -qq && apt-get install -y -qq --no-install-recommends postgresql-contrib");
            found = locate();
        }
        if (found == null) {
            throw new IllegalStateException("pgbench is needed: apt-get install postgresql-contrib (or put pgbench on PATH)");
        }
        return new Pgbench(found);
    }

    private static Path locate() {
        try (Stream<Path> versions = Files.exists(Path.of("/usr/lib/postgresql")) ? Files.list(Path.of("/usr/lib/postgresql")) : Stream.empty()) {
            Path debian = versions.map(v -> v.resolve("bin/pgbench")).filter(Files::isExecutable)
                    .max(Comparator.comparing(p -> Integer.parseInt(p.getParent().getParent().getFileName().toString().replaceAll("\\D", "0"))))
                    .orElse(null);
            if (debian != null) {
                return debian;
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
            Path p = Path.of(dir, "pgbench");
            if (Files.isExecutable(p)) {
                return p;
            }
        }
        return null;
    }

    String version() {
        return Processes.run(Path.of("."), Map.of(), binary.toString(), "--version").strip();
    }

    private static final Pattern TPS = Pattern.compile("tps = ([0-9.]+) \\(without initial connection time\\)");
    private static final Pattern LATENCY = Pattern.compile("latency average = ([0-9.]+) ms");

    Result run(BenchPostgres db, Path script, int clients, int seconds, Path log) {
        String out = Processes.run(script.getParent(), Map.of("PGPASSWORD", "postgres"), binary.toString(),
                "-h", "127.0.0.1", "-p", Integer.toString(db.port()), "-U", "postgres", "-n", "-M", "prepared",
                "-c", Integer.toString(clients), "-j", Integer.toString(Math.min(clients, Runtime.getRuntime().availableProcessors())),
                "-T", Integer.toString(seconds), "-P", "5", "-f", script.toString(), "postgres");
        try {
            Files.writeString(log, out);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        Matcher tps = TPS.matcher(out);
        Matcher latency = LATENCY.matcher(out);
        if (!tps.find() || !latency.find()) {
            throw new IllegalStateException("unexpected pgbench output:\n" + out);
        }
        return new Result(Double.parseDouble(tps.group(1)), Double.parseDouble(latency.group(1)));
    }

    static List<String> scripts() {
        return List.of("insert", "select");
    }
}
