package dev.atpin.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.IpfsClusterPeers;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/**
 * Measurements, not a test (its name does not end in IT, so the suite never runs it): run by
 * {@code loadtests/run-heal-benchmark.sh}. On three real Kubo nodes with the packaged service it prints
 * <ul>
 *   <li>pins/s reaching {@code pinned} through the service (R=1), and a bare sequential loop of {@code pin/add}
 *       on the same nodes for content of the same size;</li>
 *   <li>the time to restore R=2 for every content after a kill -9 of the node holding most of them.</li>
 * </ul>
 * With {@code -Datpin.bench.backend=ipfs-cluster} (or {@code kubo,ipfs-cluster}) it also measures pins/s through the
 * IPFS Cluster backend on three cluster peers, each with its own Kubo, against the same bare loop on those Kubo
 * nodes. {@code -Datpin.bench.contents=N} (default 1000). Figures go to standard output; nothing is asserted.
 *
 * <p>While it waits for copies it prints a timeline ({@code BENCH-T}: seconds since the phase started, contents still
 * short of their copies, how long one poll of every node's {@code pin/ls} took), so a slow phase shows whether its
 * rate is constant or decays. {@code -Datpin.bench.profile=true} adds, for finding where the time goes (it costs
 * some throughput itself, so its figures are not comparable with a plain run): a JFR recording of the service
 * ({@code settings=profile}, written to the service's work directory at its exit), {@code pg_stat_statements} on the
 * embedded Postgres (reset at the kill, the top statements printed after the restore), the placement rows by
 * state with every timeline line of the restore, and an {@code EXPLAIN ANALYZE} of the workers' claim query once
 * the restore's queue is deep.
 */
class HealBenchmark {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String OPERATOR = "did:plc:benchoperatoraaaaaaaaaaaa";
    private static final boolean PROFILE = Boolean.getBoolean("atpin.bench.profile");

    @Test
    void measure() throws Exception {
        int n = Integer.getInteger("atpin.bench.contents", 1000);
        for (String backend : System.getProperty("atpin.bench.backend", "kubo").split(",")) {
            switch (backend.strip()) {
                case "kubo" -> kuboDirect(n);
                case "ipfs-cluster" -> ipfsCluster(n);
                default -> throw new IllegalArgumentException("atpin.bench.backend: kubo, ipfs-cluster or both, comma-separated");
            }
        }
    }

    /** Kubo-direct: pins/s at R=1 against the bare loop, then the restore of R=2 after a kill -9. */
    private static void kuboDirect(int n) throws Exception {
        EmbeddedPostgres postgres = PROFILE ? profiledPostgres()
                : EmbeddedDatabase.start(Files.createTempDirectory("atpin-bench-pg-").resolve("data"), 0, false);
        Map<String, KuboDaemon> nodes = new LinkedHashMap<>();
        KuboDaemon origin = null;
        ServiceProcess service = null;
        try {
            for (String name : List.of("alpha", "beta", "gamma")) {
                nodes.put(name, KuboDaemon.startRestartable("bench-" + name));
            }
            origin = KuboDaemon.start("bench-origin");
            List<KuboDaemon> all = new ArrayList<>(nodes.values());
            all.add(origin);
            for (int i = 0; i < all.size(); i++) {
                for (int j = i + 1; j < all.size(); j++) {
                    all.get(i).connect(all.get(j));
                }
            }
            Map<String, String> env = serviceEnv(postgres);
            nodes.forEach((name, node) -> env.put("ATPIN_KUBO_NODES_" + name.toUpperCase() + "_RPC_URL", node.apiUrl()));
            env.put("ATPIN_DISPATCH_HEALTH_INTERVAL", "1s");
            env.put("ATPIN_DISPATCH_DOWN_AFTER", "5s");
            env.put("ATPIN_DISPATCH_HEAL_INTERVAL", "1s");
            env.put("ATPIN_KUBO_RPC_TIMEOUT", "5s");
            if (PROFILE) {
                // JAVA_TOOL_OPTIONS: ServiceProcess starts plain `java -jar`; the JVM reads this itself. %p: the token-minting
                // runs of the jar read it too and write their own (small) recordings; -Xlog: JFR would announce itself on the
                // standard output, where those runs print the token
                env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=filename=bench-service-%p.jfr,settings=profile,dumponexit=true"
                        + " -Xlog:jfr+startup=error");
            }
            service = ServiceProcess.create("bench-service", env);
            service.start();
            if (PROFILE) {
                System.out.println("BENCH-P service log and JFR in " + service.workDir());
            }
            String operatorToken = service.mintToken(OPERATOR, "read,write,admin");

            // 1. pins/s through the service at R=1, against a bare pin/add loop on the same nodes
            List<String> first = addContents(origin, n);
            String one = tenant(service, operatorToken, "did:plc:benchoneaaaaaaaaaaaaaaaaa", "one");
            long t0 = System.nanoTime();
            for (String cid : first) {
                pin(service, one, cid, origin);
            }
            System.out.printf("BENCH-T pins: the %d requests were accepted after %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            awaitCopies("pins", nodes, first, 1, Duration.ofMinutes(60), null);
            double serviceSeconds = (System.nanoTime() - t0) / 1e9;
            double bareSeconds = bareLoop(new ArrayList<>(nodes.values()), addContents(origin, n));
            System.out.printf("BENCH pins kubo: %d contents; service (R=1) %.1f s = %.1f pins/s; bare pin/add loop %.1f s = %.1f pins/s;"
                    + " overhead %+.0f%%%n", n, serviceSeconds, n / serviceSeconds, bareSeconds, n / bareSeconds,
                    (serviceSeconds / bareSeconds - 1) * 100);

            // 2. restore R=2 after a node loss
            List<String> second = addContents(origin, n);
            String two = tenant(service, operatorToken, "did:plc:benchtwoaaaaaaaaaaaaaaaaa", "two");
            long t2 = System.nanoTime();
            for (String cid : second) {
                pin(service, two, cid, origin);
            }
            System.out.printf("BENCH-T place: the %d requests were accepted after %.1f s%n", n, (System.nanoTime() - t2) / 1e9);
            awaitCopies("place", nodes, second, 2, Duration.ofMinutes(60), null);
            double placedSeconds = (System.nanoTime() - t2) / 1e9;
            String victim = null;
            long most = -1;
            for (var e : nodes.entrySet()) {
                Map<String, String> pins = e.getValue().recursivePins();
                long held = second.stream().filter(pins::containsKey).count();
                if (held > most) {
                    most = held;
                    victim = e.getKey();
                }
            }
            if (PROFILE) {
                sql(postgres, "select pg_stat_statements_reset()");
            }
            System.out.println("BENCH-P kill at " + java.time.Instant.now());
            long t3 = System.nanoTime();
            nodes.get(victim).kill();
            Map<String, KuboDaemon> survivors = new LinkedHashMap<>(nodes);
            survivors.remove(victim);
            awaitCopies("restore", survivors, second, 2, Duration.ofMinutes(60), PROFILE ? postgres : null);
            double restoreSeconds = (System.nanoTime() - t3) / 1e9;
            System.out.println("BENCH-P restored at " + java.time.Instant.now());
            if (PROFILE) {
                System.out.println("BENCH-P top statements during the restore (pg_stat_statements):\n" + sql(postgres, """
                        select round(total_exec_time)::bigint as total_ms, calls, round(mean_exec_time::numeric, 2) as mean_ms,
                               rows, left(regexp_replace(query, '\\s+', ' ', 'g'), 160) as query
                        from pg_stat_statements order by total_exec_time desc limit 20"""));
            }
            System.out.printf("BENCH heal: %d contents at R=2 placed in %.1f s; kill -9 of %s (held %d): every content back"
                    + " to 2 copies in %.1f s (down-after 5 s included)%n", n, placedSeconds, victim, most, restoreSeconds);
        } finally {
            if (service != null) {
                service.stop();
            }
            nodes.values().forEach(KuboDaemon::close);
            if (origin != null) {
                origin.close();
            }
            postgres.close();
        }
    }


    /**
     * IPFS Cluster: three peers, each with its own Kubo (the backend talks to the first), pins/s at R=1 until the
     * service reports every request {@code pinned} (the cluster reported the pin, the service read that status),
     * against the same bare {@code pin/add} loop on the three peers' Kubo nodes.
     */
    private static void ipfsCluster(int n) throws Exception {
        EmbeddedPostgres postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-bench-pg-").resolve("data"), 0, false);
        IpfsClusterPeers cluster = null;
        KuboDaemon origin = null;
        ServiceProcess service = null;
        try {
            cluster = IpfsClusterPeers.start("bench-peer", 3);
            cluster.connectKubos();
            origin = KuboDaemon.start("bench-cluster-origin");
            List<KuboDaemon> kubos = cluster.peers().stream().map(IpfsClusterPeers.Peer::kubo).toList();
            for (KuboDaemon kubo : kubos) {
                origin.connect(kubo);
            }
            Map<String, String> env = serviceEnv(postgres);
            env.put("ATPIN_DISPATCH_BACKEND", "ipfs-cluster");
            env.put("ATPIN_IPFS_CLUSTER_REST_URL", cluster.first().restUrl());
            env.put("ATPIN_IPFS_CLUSTER_IPFS_RPC_URL", cluster.first().kubo().apiUrl());
            service = ServiceProcess.create("bench-cluster-service", env);
            service.start();
            String operatorToken = service.mintToken(OPERATOR, "read,write,admin");

            List<String> contents = addContents(origin, n);
            String one = tenant(service, operatorToken, "did:plc:benchclusteroneaaaaaaaaaa", "one");
            long t0 = System.nanoTime();
            for (String cid : contents) {
                pin(service, one, cid, origin);
            }
            awaitPinnedCount(service, one, n, Duration.ofMinutes(60));
            double serviceSeconds = (System.nanoTime() - t0) / 1e9;
            double bareSeconds = bareLoop(kubos, addContents(origin, n));
            System.out.printf("BENCH pins ipfs-cluster: %d contents; service (R=1, 3 peers) %.1f s = %.1f pins/s;"
                    + " bare pin/add loop on the peers' Kubo %.1f s = %.1f pins/s; overhead %+.0f%%%n", n, serviceSeconds,
                    n / serviceSeconds, bareSeconds, n / bareSeconds, (serviceSeconds / bareSeconds - 1) * 100);
        } finally {
            if (service != null) {
                service.stop();
            }
            if (cluster != null) {
                cluster.close();
            }
            if (origin != null) {
                origin.close();
            }
            postgres.close();
        }
    }

    /** The service's settings common to both backends: plans without limits that matter here, private origins. */
    private static Map<String, String> serviceEnv(EmbeddedPostgres postgres) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("ATPIN_ACCOUNTS_OPERATORS", OPERATOR);
        for (String plan : List.of("one", "two")) {
            String p = "ATPIN_ACCOUNTS_PLANS_" + plan.toUpperCase() + "_";
            env.put(p + "REPLICATION", plan.equals("one") ? "1" : "2");
            env.put(p + "MAX_PINS", "100000000");
            env.put(p + "MAX_BYTES", "1099511627776");
            env.put(p + "RATE_LIMIT", "100000000");
        }
        env.put("ATPIN_DISPATCH_DIAL_PRIVATE_ORIGINS", "true");
        return env;
    }

    /** A sequential {@code pin/add} per content, round robin over {@code ring}: the anchor. Returns seconds. */
    private static double bareLoop(List<KuboDaemon> ring, List<String> cids) {
        long t = System.nanoTime();
        for (int i = 0; i < cids.size(); i++) {
            ring.get(i % ring.size()).rpc("pin/add", "arg=" + cids.get(i));
        }
        return (System.nanoTime() - t) / 1e9;
    }

    /** Until the service counts {@code n} of the tenant's requests {@code pinned}. */
    private static void awaitPinnedCount(ServiceProcess service, String token, int n, Duration max) throws Exception {
        long deadline = System.nanoTime() + max.toNanos();
        while (System.nanoTime() < deadline) {
            HttpResponse<String> r = send(service, "GET", "/psa/pins?status=pinned&limit=1", token, "");
            if (r.statusCode() == 200 && JSON.readTree(r.body()).path("count").asInt() >= n) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not every request was pinned within " + max);
    }

    private static List<String> addContents(KuboDaemon origin, int n) {
        List<String> cids = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            byte[] data = new byte[1024];
            ThreadLocalRandom.current().nextBytes(data);
            cids.add(origin.add(data));
        }
        return cids;
    }

    private static String tenant(ServiceProcess service, String operatorToken, String did, String plan) throws Exception {
        String token = service.mintToken(did, "read,write");
        HttpResponse<String> r = send(service, "PATCH", "/admin/v1/accounts/" + did, operatorToken,
                "{\"plan\":\"" + plan + "\"}");
        if (r.statusCode() != 200) {
            throw new IllegalStateException(r.body());
        }
        return token;
    }

    private static void pin(ServiceProcess service, String token, String cid, KuboDaemon origin) throws Exception {
        String body = JSON.writeValueAsString(Map.of("cid", cid, "origins", origin.swarmAddresses()));
        HttpResponse<String> r = send(service, "POST", "/psa/pins", token, body);
        if (r.statusCode() != 202) {
            throw new IllegalStateException(r.body());
        }
    }

    /**
     * Until every CID is pinned under our prefix on {@code copies} of {@code nodes} (one pin/ls per node and poll),
     * printing a {@code BENCH-T} timeline line every 5 s; with {@code db}, also the placement rows by state and, once,
     * the claim query's plan.
     */
    private static void awaitCopies(String phase, Map<String, KuboDaemon> nodes, List<String> cids, int copies,
            Duration max, EmbeddedPostgres db) throws Exception {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        long nextLine = start;
        boolean explained = false;
        while (System.nanoTime() < deadline) {
            long pollStart = System.nanoTime();
            Map<String, Integer> count = new java.util.HashMap<>();
            for (KuboDaemon node : nodes.values()) {
                node.recursivePins().forEach((cid, name) -> {
                    if (name.startsWith("atpin:")) {
                        count.merge(cid, 1, Integer::sum);
                    }
                });
            }
            Set<String> missing = new HashSet<>();
            for (String cid : cids) {
                if (count.getOrDefault(cid, 0) < copies) {
                    missing.add(cid);
                }
            }
            long now = System.nanoTime();
            if (now >= nextLine || missing.isEmpty()) {
                nextLine = now + Duration.ofSeconds(5).toNanos();
                System.out.printf("BENCH-T %s t=%.1f s short=%d poll=%d ms%s%n", phase, (now - start) / 1e9, missing.size(),
                        (now - pollStart) / 1_000_000, db == null ? "" : " rows: " + sql(db, """
                                select string_agg(n.state || '/' || p.state || '=' || c, ' ' order by n.state, p.state)
                                from (select node, state, count(*) c from placement group by node, state) p
                                join node n on n.name = p.node""").strip());
                if (db != null && !explained && missing.size() > cids.size() / 4 && (now - start) > 8e9) {
                    explained = true;
                    System.out.println("BENCH-P claim plan with " + missing.size() + " contents short:\n" + sql(db, """
                            explain (analyze, buffers)
                            select q.cid, q.node from placement q join content ct on ct.cid = q.cid
                            join node n on n.name = q.node
                            where ct.refcount > 0
                              and ((q.state = 'queued' and q.next_attempt_at <= now())
                                   or (q.state = 'pinning' and q.lease_expires_at < now()))
                              and n.state = 'active' and n.healthy
                              and (select count(*) from placement b where b.node = q.node and b.state = 'pinning'
                                   and b.lease_expires_at > now()) < 32
                            order by q.attempts, q.next_attempt_at
                            limit 1
                            for update of q skip locked"""));
                }
            }
            if (missing.isEmpty()) {
                return;
            }
            Thread.sleep(250);
        }
        throw new IllegalStateException("not every content reached " + copies + " copies within " + max);
    }

    /** A throwaway Postgres with pg_stat_statements, for {@code -Datpin.bench.profile}. */
    private static EmbeddedPostgres profiledPostgres() throws Exception {
        EmbeddedPostgres postgres = EmbeddedPostgres.builder()
                .setDataDirectory(Files.createTempDirectory("atpin-bench-pg-").resolve("data"))
                .setServerConfig("listen_addresses", "127.0.0.1").setServerConfig("max_connections", "100")
                .setServerConfig("shared_preload_libraries", "pg_stat_statements")
                .setServerConfig("pg_stat_statements.track", "all").start();
        sql(postgres, "create extension pg_stat_statements");
        return postgres;
    }

    /** Runs one statement on the bench's Postgres; returns its rows, tab-separated, one a line. */
    private static String sql(EmbeddedPostgres postgres, String statement) throws java.sql.SQLException {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = postgres.getPostgresDatabase().getConnection();
                java.sql.Statement s = c.createStatement()) {
            if (s.execute(statement)) {
                try (java.sql.ResultSet rs = s.getResultSet()) {
                    int columns = rs.getMetaData().getColumnCount();
                    while (rs.next()) {
                        for (int i = 1; i <= columns; i++) {
                            out.append(i > 1 ? "\t" : "").append(rs.getString(i));
                        }
                        out.append('\n');
                    }
                }
            }
        }
        return out.toString();
    }

    private static HttpResponse<String> send(ServiceProcess service, String method, String path, String token, String body)
            throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(60)).header("Authorization", "Bearer " + token)
                .header("Content-Type", "application/json")
                .method(method, body.isEmpty() ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }
}
