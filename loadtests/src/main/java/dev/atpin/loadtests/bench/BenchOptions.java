package dev.atpin.loadtests.bench;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The runner's settings, from {@code --name=value} arguments. Defaults are the scale
 * (10M pins, 1M in one tenant); {@code --smoke} shrinks everything to prove the scenarios work.
 */
public record BenchOptions(
        Path repo,
        Path workDir,
        Path dataDir,
        Path serviceJar,
        int tenants,
        long pins,
        long bigTenantPins,
        int postTenants,
        int users,
        int seconds,
        int warmupSeconds,
        double latencyLoad,
        int clusterPins,
        boolean cluster,
        boolean profile,
        int serviceMemoryMb,
        boolean seedOnly,
        boolean smoke) {

    static final String USAGE = """
            usage: loadtests/run-benchmark.sh [--name=value ...]
              --pins=N             pins seeded in total (default 10000000)
              --big-tenant-pins=N  of which in the one tenant that is listed (default 1000000)
              --tenants=N          tenants the seeded pins are spread over (default 100)
              --post-tenants=N     tenants of the multi-tenant POST burst (default 100)
              --users=N            concurrent virtual users / connections (default 16)
              --seconds=N          length of each measured scenario (default 30)
              --warmup-seconds=N   unmeasured warm-up of the service (default 30: C2 compiles as much as the service runs in the first seconds)
              --latency-load=F     after the closed-model runs of POST /pins and of the default and filtered lists,
                                   the same requests again in an open model at F × the throughput just measured,
                                   for their latency at a stated load (default 0.5; 0: not measured)
              --cluster-pins=N     pins in IPFS Cluster for its list measurement (default 100000)
              --no-cluster         skip the IPFS Cluster anchor
              --service-jar=JAR    the service build to measure (default service/target/quarkus-app/quarkus-run.jar;
                                   e.g. an older build, to compare before and after a change)
              --profile            record a JFR profile of the service (work dir, service.jfr)
              --service-memory=MB  size the service's JVM as in a container with this memory limit, as the
                                   Helm chart runs it (-XX:MaxRAM, -XX:MaxRAMPercentage=70); default: the machine's
              --data-dir=DIR       where the seeded database is kept for the next run
                                   (default ~/.cache/atpin/bench/<scale>)
              --work-dir=DIR       logs, Gatling reports, the results table (default loadtests/target/bench)
              --seed-only          seed the data dir (if not yet seeded) and stop: measure later, on a quiet machine
              --smoke              tiny data, 3 s per scenario: proves every part works
            """;

    static BenchOptions parse(Path repo, String... args) {
        Map<String, String> given = new LinkedHashMap<>();
        for (String arg : args) {
            if (!arg.startsWith("--")) {
                throw new IllegalArgumentException("unexpected argument '" + arg + "'\n" + USAGE);
            }
            int eq = arg.indexOf('=');
            given.put(eq < 0 ? arg.substring(2) : arg.substring(2, eq), eq < 0 ? "true" : arg.substring(eq + 1));
        }
        boolean smoke = Boolean.parseBoolean(given.remove("smoke"));
        long pins = Long.parseLong(given.getOrDefault("pins", smoke ? "3000" : "10000000"));
        long big = Long.parseLong(given.getOrDefault("big-tenant-pins", smoke ? "1000" : "1000000"));
        int tenants = Integer.parseInt(given.getOrDefault("tenants", smoke ? "3" : "100"));
        Path work = Path.of(given.getOrDefault("work-dir", repo.resolve("loadtests/target/bench").toString()));
        Path data = Path.of(given.getOrDefault("data-dir", smoke ? work.resolve("data").toString()
                : Path.of(System.getProperty("user.home"), ".cache/atpin/bench", pins + "-" + big + "-" + tenants).toString()));
        Path jar = Path.of(given.getOrDefault("service-jar", repo.resolve("service/target/quarkus-app/quarkus-run.jar").toString()));
        BenchOptions options = new BenchOptions(repo, work.toAbsolutePath(), data.toAbsolutePath(), jar.toAbsolutePath(),
                tenants, pins, big,
                Integer.parseInt(given.getOrDefault("post-tenants", smoke ? "3" : "100")),
                Integer.parseInt(given.getOrDefault("users", smoke ? "4" : "16")),
                Integer.parseInt(given.getOrDefault("seconds", smoke ? "3" : "30")),
                Integer.parseInt(given.getOrDefault("warmup-seconds", smoke ? "2" : "30")),
                Double.parseDouble(given.getOrDefault("latency-load", "0.5")),
                Integer.parseInt(given.getOrDefault("cluster-pins", smoke ? "50" : "100000")),
                !Boolean.parseBoolean(given.getOrDefault("no-cluster", "false")),
                Boolean.parseBoolean(given.getOrDefault("profile", "false")),
                Integer.parseInt(given.getOrDefault("service-memory", "0")),
                Boolean.parseBoolean(given.getOrDefault("seed-only", "false")),
                smoke);
        for (String known : new String[] {"pins", "big-tenant-pins", "tenants", "work-dir", "data-dir", "post-tenants",
                "users", "seconds", "warmup-seconds", "latency-load", "cluster-pins", "no-cluster", "profile", "service-jar", "service-memory",
                "seed-only"}) {
            given.remove(known);
        }
        if (!given.isEmpty()) {
            throw new IllegalArgumentException("unknown option(s) " + given.keySet() + "\n" + USAGE);
        }
        if (!(options.latencyLoad() >= 0 && options.latencyLoad() <= 1)) {
            throw new IllegalArgumentException("--latency-load is a fraction of the measured throughput, from 0 to 1");
        }
        if (big > pins || tenants < 1 || (tenants == 1 && big != pins)) {
            throw new IllegalArgumentException("--big-tenant-pins must be at most --pins, the rest spread over the other tenants");
        }
        return options;
    }

    /** Identifies the seeded data: a data dir seeded with other figures is seeded again. */
    String seedKey() {
        return "v1 pins=" + pins + " big=" + bigTenantPins + " tenants=" + tenants;
    }
}
