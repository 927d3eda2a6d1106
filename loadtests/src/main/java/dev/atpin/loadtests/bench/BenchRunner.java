package dev.atpin.loadtests.bench;

import dev.atpin.loadtests.gatling.GetPinSimulation;
import dev.atpin.loadtests.gatling.KuboPinAddSimulation;
import dev.atpin.loadtests.gatling.ListPinsSimulation;
import dev.atpin.loadtests.gatling.MixedSimulation;
import dev.atpin.loadtests.gatling.PagingSimulation;
import dev.atpin.loadtests.gatling.PostPinsSimulation;
import dev.atpin.loadtests.gatling.StaticFileSimulation;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.format.DateTimeFormatter;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The benchmark runner ({@code loadtests/run-benchmark.sh}): on this machine, in one run, it starts
 * PostgreSQL, Kubo and the service, seeds pins with COPY, measures the service with Gatling and the
 * anchors with the same load — pgbench on the same PostgreSQL, {@code ipfs pin add} on the same
 * Kubo, IPFS Cluster's pinning-service API — and prints one table of figures and ratios
 * (ours ÷ anchor), also written to {@code <work-dir>/results.md}. See loadtests/README.md.
 */
public final class BenchRunner {

    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);

    private final BenchOptions options;
    private final Progress progress = new Progress();
    private final Results results = new Results();
    private final Path gatlingDir;
    private final Path files;

    private BenchRunner(BenchOptions options) {
        this.options = options;
        this.gatlingDir = options.workDir().resolve("gatling");
        this.files = options.workDir().resolve("files");
    }

    public static void main(String... args) throws Exception {
        BenchOptions options;
        try {
            options = BenchOptions.parse(Path.of(System.getProperty("bench.repo", ".")).toAbsolutePath().normalize(), args);
        } catch (IllegalArgumentException e) {
            System.err.println(e.getMessage());
            System.exit(2);
            return;
        }
        Path table = new BenchRunner(options).run();
        if (options.seedOnly()) {
            System.exit(0);
        }
        System.out.println();
        System.out.println(Files.readString(table));
        System.out.println("(written to " + table + "; Gatling reports in " + options.workDir().resolve("gatling") + ")");
        System.exit(0);
    }

    /** Runs everything with {@code args} (the command line's options); returns the results file. */
    static Path run(Path repo, String... args) throws Exception {
        return new BenchRunner(BenchOptions.parse(repo, args)).run();
    }

    /** Runs everything; returns the results file (the data dir with {@code --seed-only}). */
    Path run() throws Exception {
        Files.createDirectories(files);
        try (Processes processes = new Processes(options.workDir().resolve("logs"))) {
            progress.phase("preparing (" + options.seedKey() + ", " + options.users() + " users, " + options.seconds()
                    + " s per scenario; " + Runtime.getRuntime().availableProcessors() + " CPUs, load average "
                    + Files.readString(Path.of("/proc/loadavg")).strip() + ")");
            Path kuboBinary = Path.of(Processes.run(options.repo(), Map.of(), "scripts/kubo.sh").strip().lines().reduce((a, b) -> b).orElseThrow());
            Path clusterBinaries = options.cluster() ? clusterBinaries() : null;
            Path jar = options.serviceJar();
            if (!Files.exists(jar)) {
                throw new IllegalStateException("no " + jar + ": build the service first (./mvnw -DskipTests package)");
            }
            Pgbench pgbench = Pgbench.find(progress);
            progress.step("pgbench: " + pgbench.version() + "; Kubo: " + kuboBinary);

            seedIfNeeded(processes, kuboBinary, jar);
            if (options.seedOnly()) {
                progress.phase("seeded " + options.dataDir() + " (--seed-only: nothing measured)");
                return options.dataDir();
            }
            progress.phase("starting PostgreSQL (durable), Kubo and the service");
            try (BenchPostgres db = BenchPostgres.start(options.dataDir().resolve("postgres"), BenchPostgres.DURABLE)) {
                Kubo kubo = Kubo.start("kubo", kuboBinary, options.dataDir().resolve("kubo/repo"), processes);
                Path keyDir = options.dataDir().resolve("keys");
                Tokens tokens = new Tokens(keyDir);
                Process service = startService(processes, db, kubo, keyDir, jar);
                String base = "http://127.0.0.1:" + servicePort;
                processes.awaitHttp("service", service, "GET", base + "/q/health/ready", java.time.Duration.ofMinutes(3));
                RssSampler rss = new RssSampler(service.pid());
                rss.start();

                Scenarios s = new Scenarios(db, tokens, base, service.pid());
                s.measureService();
                long maxRss = rss.finish();
                results.add(new Results.Row("service RSS (max under load)", String.format("%,d MB", maxRss >> 20), "", "", "",
                        "", "", "≤ 400 MB", maxRss <= 400L << 20 ? "yes" : "NO"));
                processes.stop(service);

                progress.phase("anchors: pgbench on the same PostgreSQL");
                s.measurePgbench(pgbench);
                progress.phase("anchor: ipfs pin add on the same Kubo");
                s.measureKubo(kubo);
                if (clusterBinaries != null) {
                    progress.phase("anchor: IPFS Cluster's pinning-service API");
                    Kubo clusterKubo = Kubo.start("kubo-cluster", kuboBinary, options.dataDir().resolve("kubo-cluster/repo"), processes);
                    Cluster cluster = Cluster.start(clusterBinaries, options.dataDir().resolve("ipfs-cluster"), clusterKubo, processes);
                    s.measureCluster(cluster, clusterKubo);
                } else {
                    results.note("IPFS Cluster was not measured (--no-cluster)");
                }
                s.ratios();
            }
        }
        results.note("machine: " + Runtime.getRuntime().availableProcessors() + " CPUs, load average at the end "
                + Files.readString(Path.of("/proc/loadavg")).strip() + "; " + options.users() + " concurrent users, "
                + options.seconds() + " s per scenario" + (options.latencyLoad() > 0 ? String.format(
                        " (the rows 'at %.0f %% of its throughput': the same requests in the open model, at that rate)",
                        options.latencyLoad() * 100) : "") + "; " + options.seedKey() + "; service JVM sized for "
                + (options.serviceMemoryMb() > 0 ? "a " + options.serviceMemoryMb() + " MB container" : "the whole machine"));
        Path table = options.workDir().resolve("results.md");
        results.write(table);
        return table;
    }

    private Path clusterBinaries() {
        Path script = options.repo().resolve("scripts/ipfs-cluster.sh");
        if (!Files.exists(script)) {
            throw new IllegalStateException("scripts/ipfs-cluster.sh is missing: it builds IPFS Cluster (or run with --no-cluster)");
        }
        progress.step("building/finding IPFS Cluster (scripts/ipfs-cluster.sh)");
        return Path.of(Processes.run(options.repo(), Map.of(), script.toString()).strip().lines().reduce((a, b) -> b).orElseThrow());
    }

    /** Seeds once per data dir: a marker file names the seed it holds. */
    private void seedIfNeeded(Processes processes, Path kuboBinary, Path jar) throws Exception {
        Path marker = options.dataDir().resolve("seeded");
        if (Files.exists(marker) && Files.readString(marker).strip().equals(options.seedKey())) {
            progress.phase("seed: reusing " + options.dataDir() + " (" + options.seedKey() + ")");
            return;
        }
        progress.phase("seed: " + options.seedKey() + " into " + options.dataDir() + " (COPY; once per data dir)");
        Files.deleteIfExists(marker);
        try (BenchPostgres db = BenchPostgres.start(options.dataDir().resolve("postgres"), BenchPostgres.LOADING)) {
            // The schema is the one of the service under test: it migrates at start.
            Kubo kubo = Kubo.start("kubo", kuboBinary, options.dataDir().resolve("kubo/repo"), processes);
            Process service = startService(processes, db, kubo, options.dataDir().resolve("keys"), jar);
            processes.awaitHttp("service", service, "GET", "http://127.0.0.1:" + servicePort + "/q/health/ready",
                    java.time.Duration.ofMinutes(3));
            processes.stop(service);
            processes.stop(kubo.process);
            try (Connection c = db.connect()) {
                new Seeder(options, progress).seed(c);
            }
        }
        Files.writeString(marker, options.seedKey());
    }

    private int servicePort;

    private Process startService(Processes processes, BenchPostgres db, Kubo kubo, Path keyDir, Path jar) {
        servicePort = Processes.freePort();
        List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString()));
        if (options.profile()) {
            // Quarkus request stacks are deeper than JFR's default 64 frames: without this the samples lose
            // the resource method they belong to.
            cmd.add("-XX:FlightRecorderOptions=stackdepth=512");
            cmd.add("-XX:StartFlightRecording=filename=" + options.workDir().resolve("service.jfr")
                    + ",settings=profile,dumponexit=true");
        }
        if (options.serviceMemoryMb() > 0) {
            // What the JVM does in a container with this memory limit under the chart's settings.
            cmd.add("-XX:MaxRAM=" + options.serviceMemoryMb() + "m");
            cmd.add("-XX:MaxRAMPercentage=70");
        }
        String plan = "-Datpin.accounts.plans." + Seeder.PLAN + ".";
        cmd.addAll(List.of(
                "-Dquarkus.http.port=" + servicePort,
                "-Dquarkus.datasource.jdbc.url=" + db.jdbcUrl(),
                "-Dquarkus.datasource.username=postgres",
                "-Dquarkus.datasource.password=postgres",
                "-Datpin.kubo.nodes." + Seeder.NODE + ".rpc-url=" + kubo.rpcUrl(),
                "-Datpin.dispatch.enabled=false",
                "-Datpin.watcher.enabled=false",
                "-Datpin.auth.key-dir=" + keyDir,
                "-Datpin.oauth.key-dir=" + options.dataDir().resolve("oauth-keys"),
                plan + "max-pins=1000000000",
                plan + "max-bytes=1000000000000000",
                plan + "rate-limit=1000000000",
                "-jar", jar.toString()));
        progress.step("service on port " + servicePort + (options.profile() ? ", JFR to " + options.workDir().resolve("service.jfr") : ""));
        return processes.start("service", cmd, options.workDir(), Map.of());
    }

    /** The service's CPU time so far (user + system), in milliseconds. */
    static long cpuMillis(long pid) {
        try {
            String stat = Files.readString(Path.of("/proc/" + pid + "/stat"));
            String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
            return (Long.parseLong(f[11]) + Long.parseLong(f[12])) * 10; // USER_HZ = 100 on Linux
        } catch (Exception e) {
            return 0;
        }
    }

    /** Samples the service's resident memory once a second while measuring. */
    private static final class RssSampler extends Thread {
        private final long pid;
        private final AtomicLong max = new AtomicLong();
        private volatile boolean running = true;

        RssSampler(long pid) {
            super("rss-sampler");
            this.pid = pid;
            setDaemon(true);
        }

        @Override
        public void run() {
            while (running) {
                max.accumulateAndGet(Processes.rssBytes(pid), Math::max);
                Processes.sleep(1000);
            }
        }

        long finish() {
            running = false;
            return max.get();
        }
    }

    /** The HTTP reference's title: the same server answering a static file (see {@link StaticFileSimulation}). */
    private static final String STATIC_FILE = "static file: GET /static/favicon.svg (no token, no Postgres)";

    /** An open-model run at {@code offered} requests per second: its title and figures by request name. */
    private record AtRate(String title, double offered, Map<String, GatlingRun.Figures> figures) {
        GatlingRun.Figures total() {
            return figures.get("All Requests");
        }
    }

    /** The measurements, in order, and the ratios between them. */
    private final class Scenarios {
        private final BenchPostgres db;
        private final Tokens tokens;
        private final String base;
        private final long pid;
        private final Map<String, GatlingRun.Figures> ours = new LinkedHashMap<>();
        private final Map<String, Double> anchors = new LinkedHashMap<>();
        private final Random random = new Random(42);

        Scenarios(BenchPostgres db, Tokens tokens, String base, long pid) {
            this.db = db;
            this.tokens = tokens;
            this.base = base;
            this.pid = pid;
        }

        private Path file(String name, List<String> lines) throws Exception {
            Path f = files.resolve(name);
            Files.write(f, lines);
            return f;
        }

        private Path tokenFile(String name, List<String> dids) throws Exception {
            try (Connection c = db.connect()) {
                return file(name, tokens.mint(c, dids));
            }
        }

        /** Runs a simulation against the service and records its figures (and the service's CPU per request). */
        private Map<String, GatlingRun.Figures> gatling(String title, Class<?> simulation, Map<String, String> props) {
            progress.phase(title);
            Map<String, String> all = new LinkedHashMap<>(props);
            all.putIfAbsent("bench.baseUrl", base);
            all.putIfAbsent("bench.users", Integer.toString(options.users()));
            all.putIfAbsent("bench.seconds", Integer.toString(options.seconds()));
            long cpuBefore = pid > 0 ? cpuMillis(pid) : 0;
            Map<String, GatlingRun.Figures> f = GatlingRun.run(simulation, title, gatlingDir, all);
            long cpu = pid > 0 ? cpuMillis(pid) - cpuBefore : 0;
            GatlingRun.Figures total = f.get("All Requests");
            progress.step(String.format("%s: %,d ok, %,d failed, %,.0f/s, p99 %.0f ms", title, total.ok(), total.ko(),
                    total.okPerSecond(), total.p99()));
            if (total.ko() > 0) {
                results.note(title + ": " + total.ko() + " requests failed (see its Gatling report)");
            }
            cpuPerRequest.put(title, total.ok() + total.ko() == 0 ? 0 : (double) cpu / (total.ok() + total.ko()));
            return f;
        }

        private final Map<String, Double> cpuPerRequest = new LinkedHashMap<>();

        /** The open-model runs, by the key of the closed-model figure in {@link #ours} they follow. */
        private final Map<String, AtRate> openRuns = new LinkedHashMap<>();

        /**
         * The requests of a closed-model run again, in Gatling's open model at {@code --latency-load} × the throughput
         * {@code closed} just measured (see {@code BenchParams.injection}): the latency at a stated load, which the
         * closed model's figures, mostly time spent queueing behind its own users, do not give. Null when
         * {@code --latency-load=0}.
         */
        private AtRate atRate(String key, String closedTitle, GatlingRun.Figures closed, Class<?> simulation,
                Map<String, String> props) {
            if (options.latencyLoad() <= 0) {
                return null;
            }
            double offered = Math.max(1, closed.okPerSecond() * options.latencyLoad());
            String title = String.format("%s, at %s of its throughput (%s offered, open model)", closedTitle, load(),
                    Results.rate(offered));
            Map<String, String> all = new LinkedHashMap<>(props);
            all.put("bench.rate", Double.toString(offered));
            AtRate run = new AtRate(title, offered, gatling(title, simulation, all));
            openRuns.put(key, run);
            return run;
        }

        /** {@code --latency-load} as a percentage. */
        private String load() {
            return String.format("%.0f %%", options.latencyLoad() * 100);
        }

        /** The rows of the open-model run that followed {@code key}'s: its total, and each request name's with {@code labels}. */
        private void atRateRows(String what, String key, String target, boolean labels) {
            AtRate run = openRuns.get(key);
            if (run == null) {
                return;
            }
            row(String.format("%s, at %s of its throughput (%s offered, open model)", what, load(), Results.rate(run.offered())),
                    run.title(), run.total(), "", null, 0, target);
            if (labels) {
                run.figures().forEach((name, f) -> {
                    if (!name.equals("All Requests")) {
                        row("  " + name + ", at " + load(), run.title(), f, "", null, 0, target);
                    }
                });
            }
        }

        private void row(String what, String title, GatlingRun.Figures f, String anchorName, Double anchor, double min,
                String extraTarget) {
            Double cpu = cpuPerRequest.get(title);
            boolean ratioTarget = anchor != null && min > 0;
            String target = ratioTarget ? "≥ " + min + " ×" + (extraTarget.isEmpty() ? "" : ", " + extraTarget) : extraTarget;
            boolean p99ok = !extraTarget.startsWith("p99 < ")
                    || f.p99() < Double.parseDouble(extraTarget.substring("p99 < ".length()).replace(" ms", ""));
            String met = ratioTarget ? (Results.atLeast(f.okPerSecond(), anchor, min).equals("yes") && p99ok ? "yes" : "NO")
                    : extraTarget.isEmpty() ? "" : p99ok ? "yes" : "NO";
            results.add(new Results.Row(what, Results.rate(f.okPerSecond()), Results.millis(f.p50()), Results.millis(f.p99()),
                    cpu == null || cpu == 0 ? "" : String.format("%.2f ms", cpu), anchor == null ? "" : anchorName + " " + Results.rate(anchor),
                    anchor == null ? "" : Results.ratio(f.okPerSecond(), anchor), target, met));
        }

        void measureService() throws Exception {
            long big = options.bigTenantPins();
            String bigDid = Seeder.tenantDid(0);
            Path bigToken = tokenFile("token-big.txt", List.of(bigDid));
            String run = Long.toString(System.currentTimeMillis(), 36);
            List<String> postDids = new ArrayList<>();
            for (int t = 0; t < options.postTenants(); t++) {
                postDids.add("did:plc:benchpost" + run + "x" + t);
            }
            Path onePost = tokenFile("tokens-post-1.txt", postDids.subList(0, 1));
            Path manyPost = tokenFile("tokens-post-n.txt", postDids);
            List<String> seeded = new ArrayList<>();
            for (int t = 1; t < options.tenants(); t++) {
                seeded.add(Seeder.tenantDid(t));
            }
            Path mixedTokens = tokenFile("tokens-mixed.txt", seeded.isEmpty() ? List.of(bigDid) : seeded);

            gatling("warm-up (not measured)", MixedSimulation.class,
                    Map.of("bench.tokens", mixedTokens.toString(), "bench.seconds", Integer.toString(options.warmupSeconds())));

            var staticFile = gatling(STATIC_FILE, StaticFileSimulation.class, Map.of());
            ours.put("static", staticFile.get("All Requests"));

            long accepted = 0;
            for (String key : List.of("post1", "postN")) {
                String title = key.equals("post1") ? "POST /pins, 1 tenant" : "POST /pins, " + options.postTenants() + " tenants";
                Map<String, String> props = Map.of("bench.tokens", (key.equals("post1") ? onePost : manyPost).toString());
                GroupCommit before = GroupCommit.read(base);
                var closed = gatling(title, PostPinsSimulation.class, props);
                ours.put(key, closed.get("All Requests"));
                accepted += closed.get("All Requests").ok();
                GroupCommit between = GroupCommit.read(base);
                results.note("group commit during " + title + ": " + between.minus(before));
                AtRate open = atRate(key, title, closed.get("All Requests"), PostPinsSimulation.class, props);
                if (open != null) {
                    accepted += open.total().ok();
                    results.note("group commit during " + open.title() + ": " + GroupCommit.read(base).minus(between));
                }
            }
            checkNothingLost(postDids, accepted);

            String listTitle = "GET /pins (default: pinned, limit 10), " + String.format("%,d", big) + " pins in the tenant";
            Map<String, String> listProps = Map.of("bench.tokens", bigToken.toString(),
                    "bench.queries", file("queries-default.txt", List.of("list: default\t")).toString());
            var list = gatling(listTitle, ListPinsSimulation.class, listProps);
            ours.put("list", list.get("All Requests"));
            atRate("list", listTitle, list.get("All Requests"), ListPinsSimulation.class, listProps);

            List<String> queries = new ArrayList<>();
            for (int k = 0; k < 200; k++) {
                long i = (long) (random.nextDouble() * big);
                queries.add("list: status=queued\t?status=queued");
                queries.add("list: status=failed,pinning\t?status=failed,pinning");
                queries.add("list: name (exact)\t?name=" + Seeder.name(i));
                queries.add("list: name (iexact)\t?name=" + Seeder.name(i).toUpperCase() + "&match=iexact");
                queries.add("list: name (partial)\t?name=" + Seeder.name(i).substring(0, Math.min(Seeder.name(i).length(), 9)) + "&match=partial");
                queries.add("list: cid\t?cid=" + Seeder.cid(0, i));
                queries.add("list: meta\t?meta=" + URLEncoder.encode("{\"batch\":\"" + Seeder.batch(i) + "\"}", StandardCharsets.UTF_8));
                queries.add("list: status=pinned, before (random depth)\t?status=pinned&before="
                        + CREATED.format(Seeder.created(i)));
            }
            Map<String, String> filterProps = Map.of("bench.tokens", bigToken.toString(),
                    "bench.queries", file("queries-filters.txt", queries).toString());
            var filters = gatling("GET /pins with filters", ListPinsSimulation.class, filterProps);
            filters.forEach((name, f) -> {
                if (!name.equals("All Requests")) {
                    ours.put(name, f);
                }
            });
            ours.put("filters", filters.get("All Requests"));
            atRate("filters", "GET /pins with filters", filters.get("All Requests"), ListPinsSimulation.class, filterProps);

            var paging = gatling("GET /pins paged with before (Kubo's ls: 100 pages)", PagingSimulation.class,
                    // 90 % of the tenant is pinned: never page past its last pinned request.
                    Map.of("bench.tokens", bigToken.toString(), "bench.pages",
                            Long.toString(Math.max(2, Math.min(100, big * 9 / 100 - 1)))));
            ours.put("paging", paging.get("All Requests"));

            List<String> stat = List.of("stat: status=queued&limit=1\t?status=queued&limit=1",
                    "stat: status=pinning&limit=1\t?status=pinning&limit=1", "stat: status=pinned&limit=1\t?status=pinned&limit=1",
                    "stat: status=failed&limit=1\t?status=failed&limit=1");
            var stats = gatling("--stat counts (4 × limit=1)", ListPinsSimulation.class,
                    Map.of("bench.tokens", bigToken.toString(), "bench.queries", file("queries-stat.txt", stat).toString()));
            ours.put("stat", stats.get("All Requests"));

            List<String> ids = new ArrayList<>();
            for (int k = 0; k < 10_000; k++) {
                ids.add(Seeder.requestId(0, (long) (random.nextDouble() * big)).toString());
            }
            var get = gatling("GET /pins/{requestid}", GetPinSimulation.class,
                    Map.of("bench.tokens", bigToken.toString(), "bench.ids", file("ids.txt", ids).toString()));
            ours.put("get", get.get("All Requests"));

            var mixed = gatling("mixed: 70 % list, 10 % stat, 20 % POST over " + Math.max(1, options.tenants() - 1) + " tenants",
                    MixedSimulation.class, Map.of("bench.tokens", mixedTokens.toString()));
            ours.put("mixed", mixed.get("All Requests"));
        }

        /** Every 202 Gatling counted is a row in Postgres, and the usage counters agree with the rows. */
        private void checkNothingLost(List<String> dids, long accepted) throws Exception {
            try (Connection c = db.connect();
                    PreparedStatement q = c.prepareStatement("""
                            select (select count(*) from pin_request where did = any(?)),
                                   (select coalesce(sum(pins), 0) from account_usage where did = any(?))""")) {
                q.setArray(1, c.createArrayOf("text", dids.toArray()));
                q.setArray(2, c.createArrayOf("text", dids.toArray()));
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    long rows = rs.getLong(1);
                    long counted = rs.getLong(2);
                    String verdict = rows == accepted && counted == accepted ? "yes" : "NO";
                    results.add(new Results.Row("every 202 is a row; usage counters exact", String.format("%,d accepted", accepted),
                            "", "", "", String.format("%,d rows, usage %,d", rows, counted), "", "equal", verdict));
                }
            }
        }

        void measurePgbench(Pgbench pgbench) throws Exception {
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("drop table if exists bench_pgbench_pin");
                s.execute("create table bench_pgbench_pin (like pin_request including defaults including constraints including indexes)");
            }
            Path insert = file("pgbench-insert.sql", List.of(
                    "insert into bench_pgbench_pin (id, did, cid, cid_input, name, meta, status, created)",
                    "values (gen_random_uuid(), md5(cast(random() as text)), md5(cast(random() as text)), md5(cast(random() as text)), 'pgbench',",
                    "        '{\"app\": \"bench\"}', 'queued', clock_timestamp());"));
            Pgbench.Result ins = pgbench.run(db, insert, options.users(), options.seconds(), options.workDir().resolve("logs/pgbench-insert.log"));
            anchors.put("pgbench insert", ins.tps());
            results.add(new Results.Row("pgbench: single-row insert into a pin_request-shaped table (same indexes)",
                    Results.rate(ins.tps()), "", "", "", "", "", "avg " + Results.millis(ins.latencyMillis()), ""));
            Path select = file("pgbench-select.sql", List.of(
                    "select r.id, r.did, r.cid, r.cid_input, r.name, cast(r.meta as text), r.origins, r.status, r.created,",
                    "       r.source, coalesce(r.failure, ct.status_details), ct.size_bytes, r.failure is not null, ct.restored_from",
                    "from pin_request r join content ct on ct.cid = r.cid",
                    // pgbench reads ":name" as a variable: the DID's colons are spelled chr(58), folded to a constant when planned.
                    "where r.did = " + pgbenchLiteral(Seeder.tenantDid(0)) + " and r.status = any('{pinned}') order by r.created desc limit 10;"));
            Pgbench.Result sel = pgbench.run(db, select, options.users(), options.seconds(), options.workDir().resolve("logs/pgbench-select.log"));
            anchors.put("pgbench select", sel.tps());
            results.add(new Results.Row("pgbench: the default list's indexed select (same tenant)",
                    Results.rate(sel.tps()), "", "", "", "", "", "avg " + Results.millis(sel.latencyMillis()), ""));
            try (Connection c = db.connect(); Statement s = c.createStatement()) {
                s.execute("drop table bench_pgbench_pin");
            }
        }

        private static String pgbenchLiteral(String text) {
            return "('" + text.replace(":", "' || chr(58) || '") + "')";
        }

        void measureKubo(Kubo kubo) throws Exception {
            int count = Math.max(2000, options.seconds() * 1500);
            progress.step("putting " + count + " blocks into Kubo (unpinned)");
            Path cids = file("cids-kubo.txt", kubo.putRandomBlocks(count));
            var f = gatlingAnchor("ipfs pin add (Kubo RPC pin/add, blocks at hand)", KuboPinAddSimulation.class,
                    Map.of("bench.baseUrl", kubo.rpcUrl(), "bench.cids", cids.toString()));
            anchors.put("kubo pin add", f.okPerSecond());
            results.add(new Results.Row("ipfs pin add on the same Kubo (RPC pin/add)", Results.rate(f.okPerSecond()),
                    Results.millis(f.p50()), Results.millis(f.p99()), "", "", "", "", ""));
        }

        void measureCluster(Cluster cluster, Kubo clusterKubo) throws Exception {
            var post = gatlingAnchor("IPFS Cluster pinning-service API: POST /pins", PostPinsSimulation.class,
                    Map.of("bench.psaBase", cluster.pinsvcUrl(), "bench.tokens", file("token-cluster.txt", List.of("none")).toString(),
                            "bench.expectStatus", "200,202", "bench.label", "cluster: POST /pins"));
            anchors.put("cluster post", post.okPerSecond());
            results.add(new Results.Row("IPFS Cluster pinning-service API: POST /pins", Results.rate(post.okPerSecond()),
                    Results.millis(post.p50()), Results.millis(post.p99()), "", "", "", "", ""));
            long have = cluster.pinCount();
            if (have < options.clusterPins()) {
                int missing = (int) (options.clusterPins() - have);
                progress.step(String.format("filling the cluster's pinset to %,d pins (%,d to add; kept in the data dir)",
                        options.clusterPins(), missing));
                cluster.pinAll(clusterKubo.putRandomBlocks(missing), options.users(), progress);
                have = cluster.pinCount();
            }
            var list = gatlingAnchor(String.format("IPFS Cluster pinning-service API: GET /pins at %,d pins", have),
                    ListPinsSimulation.class, Map.of("bench.psaBase", cluster.pinsvcUrl(),
                            "bench.tokens", file("token-cluster.txt", List.of("none")).toString(),
                            "bench.queries", file("queries-cluster.txt", List.of("cluster: GET /pins\t?limit=10")).toString()));
            anchors.put("cluster list", list.okPerSecond());
            results.add(new Results.Row(String.format("IPFS Cluster pinning-service API: GET /pins at %,d pins", have),
                    Results.rate(list.okPerSecond()), Results.millis(list.p50()), Results.millis(list.p99()), "", "", "", "", ""));
        }

        private GatlingRun.Figures gatlingAnchor(String title, Class<?> simulation, Map<String, String> props) {
            progress.phase(title);
            Map<String, String> all = new LinkedHashMap<>(props);
            all.putIfAbsent("bench.users", Integer.toString(options.users()));
            all.putIfAbsent("bench.seconds", Integer.toString(options.seconds()));
            GatlingRun.Figures f = GatlingRun.run(simulation, title, gatlingDir, all).get("All Requests");
            progress.step(String.format("%s: %,d ok, %,d failed, %,.0f/s, p99 %.0f ms", title, f.ok(), f.ko(), f.okPerSecond(), f.p99()));
            if (f.ko() > 0) {
                results.note(title + ": " + f.ko() + " requests failed (see its Gatling report)");
            }
            return f;
        }

        /** Our figures against the anchors, as the targets put them. */
        void ratios() {
            Double insert = anchors.get("pgbench insert");
            Double select = anchors.get("pgbench select");
            Double kubo = anchors.get("kubo pin add");
            Double clusterPost = anchors.get("cluster post");
            Double clusterList = anchors.get("cluster list");
            String n = Integer.toString(options.postTenants());
            row("POST /pins, " + n + " tenants ÷ pgbench insert", "POST /pins, " + n + " tenants", ours.get("postN"),
                    "pgbench", insert, 0.5, "p99 < 50 ms");
            atRateRows("POST /pins, " + n + " tenants", "postN", "p99 < 50 ms", false);
            row("POST /pins, 1 tenant ÷ pgbench insert", "POST /pins, 1 tenant", ours.get("post1"), "pgbench", insert, 0.3,
                    "p99 < 50 ms");
            atRateRows("POST /pins, 1 tenant", "post1", "p99 < 50 ms", false);
            row("POST /pins, " + n + " tenants ÷ ipfs pin add", "POST /pins, " + n + " tenants", ours.get("postN"), "kubo", kubo, 0, "");
            if (clusterPost != null) {
                row("POST /pins, " + n + " tenants ÷ IPFS Cluster POST", "POST /pins, " + n + " tenants", ours.get("postN"),
                        "cluster", clusterPost, 10, "");
            }
            String listTitle = "list";
            row(String.format("GET /pins default at %,d pins ÷ pgbench select", options.bigTenantPins()),
                    "GET /pins (default: pinned, limit 10), " + String.format("%,d", options.bigTenantPins()) + " pins in the tenant",
                    ours.get(listTitle), "pgbench", select, 0.5, "p99 < 20 ms");
            atRateRows(String.format("GET /pins default at %,d pins", options.bigTenantPins()), "list", "p99 < 20 ms", false);
            if (clusterList != null) {
                row(String.format("GET /pins default at %,d pins ÷ IPFS Cluster GET /pins", options.bigTenantPins()),
                        "GET /pins (default: pinned, limit 10), " + String.format("%,d", options.bigTenantPins()) + " pins in the tenant",
                        ours.get(listTitle), "cluster", clusterList, 10, "");
            }
            for (Map.Entry<String, GatlingRun.Figures> e : ours.entrySet()) {
                if (e.getKey().startsWith("list: ")) {
                    row("  " + e.getKey(), "GET /pins with filters", e.getValue(), "", null, 0, "p99 < 20 ms");
                }
            }
            atRateRows("GET /pins with filters (all kinds)", "filters", "p99 < 20 ms", true);
            row("GET /pins paged with before (Kubo ls, 100 pages)", "GET /pins paged with before (Kubo's ls: 100 pages)",
                    ours.get("paging"), "", null, 0, "p99 < 20 ms");
            row("--stat counts (limit=1 per status)", "--stat counts (4 × limit=1)", ours.get("stat"), "", null, 0, "p99 < 20 ms");
            row("GET /pins/{requestid}", "GET /pins/{requestid}", ours.get("get"), "", null, 0, "");
            GatlingRun.Figures staticFile = ours.get("static");
            if (staticFile != null) {
                double reference = staticFile.okPerSecond();
                row("static file (191 bytes, Vert.x static handler: no token, no Postgres) ÷ pgbench select", STATIC_FILE, staticFile, "pgbench",
                        select, 0, "");
                row(String.format("GET /pins default at %,d pins ÷ static file", options.bigTenantPins()),
                        "GET /pins (default: pinned, limit 10), " + String.format("%,d", options.bigTenantPins()) + " pins in the tenant",
                        ours.get(listTitle), "static file", reference, 0, "");
                row("GET /pins/{requestid} ÷ static file", "GET /pins/{requestid}", ours.get("get"), "static file", reference, 0, "");
                row("POST /pins, " + n + " tenants ÷ static file", "POST /pins, " + n + " tenants", ours.get("postN"), "static file",
                        reference, 0, "");
            }
            row("mixed read/write", cpuPerRequest.keySet().stream().filter(k -> k.startsWith("mixed")).findFirst().orElse(""),
                    ours.get("mixed"), "", null, 0, "");
        }
    }
}
