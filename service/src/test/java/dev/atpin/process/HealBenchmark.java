package dev.atpin.process;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.dispatch.PlacementQueue;
import dev.atpin.testing.FastDispatch;
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
import java.util.EnumSet;
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
 * <p><b>Warm-up.</b> Before each backend's pins/s measurement the service pins {@code -Datpin.bench.warmup=W}
 * other contents (default 500, through a tenant of its own, same size, same origin; not measured), because a
 * production service is warm and a just-started JVM is not: without it a 1,000-content run measured mostly the
 * JIT compiling the request and pin paths. The bare loop gets nothing in exchange and needs nothing: it is one
 * {@code pin/add} per content from the bench's own, already warm JVM, and it runs after the service's part on the
 * same (by then warm) Kubo nodes, exactly as before. {@code -Datpin.bench.warmup=0} measures the cold service as
 * the figures before 2026-12-04 did.
 *
 * <p>While it waits for copies it prints a timeline ({@code BENCH-T} every 5 s: seconds since the phase started,
 * contents still short of their copies), so a slow phase shows whether its rate is constant or decays. The end of
 * each phase is read from the service's record and confirmed by every node's {@code pin/ls} (see
 * {@link #awaitCopies}: polling {@code pin/ls} back to back, as before 2026-12-04, loaded the nodes it measured). {@code -Datpin.bench.profile=true} adds, for finding where the time goes (it costs
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
            // Only what finds and heals a node loss is fast; everything else (retries, unpins, the reconciler) runs at
            // the production defaults it is measured with. 5 s to declare a node down and for an RPC, not the tests'
            // 4 s and 3 s: every published restore time includes that 5 s window (loadtests/README.md).
            env.putAll(FastDispatch.env(EnumSet.of(FastDispatch.HEALTH_INTERVAL, FastDispatch.DOWN_AFTER,
                    FastDispatch.HEAL_INTERVAL, FastDispatch.KUBO_RPC_TIMEOUT)));
            env.put(FastDispatch.DOWN_AFTER.variable(), "5s");
            env.put(FastDispatch.KUBO_RPC_TIMEOUT.variable(), "5s");
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

            // 0. unmeasured: a production service is warm (JIT-compiled request and pin paths), a just-started one
            //    is not, and at 1,000 contents the cold start would be a good part of what is measured
            warmUp("", service, operatorToken, origin, "did:plc:benchwarmupaaaaaaaaaaaaaa",
                    (token, warm) -> awaitCopies("warm-up", nodes, warm, 1, Duration.ofMinutes(30), postgres, false));

            // 1. pins/s through the service at R=1, against a bare pin/add loop on the same nodes
            List<String> first = addContents(origin, n);
            String one = tenant(service, operatorToken, "did:plc:benchoneaaaaaaaaaaaaaaaaa", "one");
            long t0 = System.nanoTime();
            for (int i = 0; i < first.size(); i++) {
                pin(service, one, first.get(i), origin);
                if (i + 1 == first.size() / 2) {
                    System.out.printf("BENCH-T pins: the first %d requests were accepted after %.1f s%n", i + 1,
                            (System.nanoTime() - t0) / 1e9);
                }
            }
            System.out.printf("BENCH-T pins: the %d requests were accepted after %.1f s%n", n, (System.nanoTime() - t0) / 1e9);
            double serviceSeconds = (awaitCopies("pins", nodes, first, 1, Duration.ofMinutes(60), postgres, false) - t0) / 1e9;
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
            double placedSeconds = (awaitCopies("place", nodes, second, 2, Duration.ofMinutes(60), postgres, false) - t2) / 1e9;
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
            double restoreSeconds = (awaitCopies("restore", survivors, second, 2, Duration.ofMinutes(60), postgres, PROFILE) - t3) / 1e9;
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
            if (Boolean.getBoolean("atpin.bench.profile")) {
                // A flight recording of the service, written to its work directory at exit (%p: the token-minting runs of
                // the jar read JAVA_TOOL_OPTIONS too; -Xlog keeps JFR's announcement off the output that carries the token)
                env.put("JAVA_TOOL_OPTIONS", "-XX:StartFlightRecording=filename=bench-cluster-service-%p.jfr,settings=profile,"
                        + "dumponexit=true -Xlog:jfr+startup=error");
            }
            service = ServiceProcess.create("bench-cluster-service", env);
            service.start();
            if (Boolean.getBoolean("atpin.bench.profile")) {
                System.out.println("BENCH-P service log and JFR in " + service.workDir());
            }
            String operatorToken = service.mintToken(OPERATOR, "read,write,admin");

            // unmeasured, as for Kubo-direct: the cluster's figure measured a just-started JVM until 2026-12-06
            ServiceProcess warming = service;
            warmUp(" ipfs-cluster", service, operatorToken, origin, "did:plc:benchclusterwarmupaaaaaa",
                    (token, warm) -> awaitPinnedCount(warming, token, warm.size(), Duration.ofMinutes(30)));

            List<String> contents = addContents(origin, n);
            String one = tenant(service, operatorToken, "did:plc:benchclusteroneaaaaaaaaaa", "one");
            long t0 = System.nanoTime();
            for (String cid : contents) {
                pin(service, one, cid, origin);
            }
            System.out.printf("BENCH-T pins ipfs-cluster: the %d requests were accepted after %.1f s%n", n,
                    (System.nanoTime() - t0) / 1e9);
            awaitPinnedCount(service, one, n, Duration.ofMinutes(60));
            double serviceSeconds = (System.nanoTime() - t0) / 1e9;
            double bareSeconds = bareLoop(kubos, addContents(origin, n));
            System.out.printf("BENCH pins ipfs-cluster: %d contents; service (R=1, 3 peers) %.1f s = %.1f pins/s;"
                    + " bare pin/add loop on the peers' Kubo %.1f s = %.1f pins/s; overhead %+.0f%%%n", n, serviceSeconds,
                    n / serviceSeconds, bareSeconds, n / bareSeconds, (serviceSeconds / bareSeconds - 1) * 100);
            double clusterSeconds = clusterLoop(cluster, addContents(origin, n));
            System.out.printf("BENCH pins ipfs-cluster alone: %d contents; sequential POST /pins (R=1) to the first peer"
                    + " until each is pinned on a peer's Kubo %.1f s = %.1f pins/s (service against it %+.0f%%)%n", n,
                    clusterSeconds, n / clusterSeconds, (serviceSeconds / clusterSeconds - 1) * 100);
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

    /** How a backend's warm-up knows its contents are pinned. */
    private interface Pinned {
        void await(String token, List<String> cids) throws Exception;
    }

    /**
     * Unmeasured: pins {@code -Datpin.bench.warmup} contents (default 500, 0 for none) through a tenant of its own and
     * waits until {@code pinned} says they are, so that what follows measures a warm service.
     */
    private static void warmUp(String label, ServiceProcess service, String operatorToken, KuboDaemon origin, String did,
            Pinned pinned) throws Exception {
        int warmup = Integer.getInteger("atpin.bench.warmup", 500);
        if (warmup <= 0) {
            return;
        }
        List<String> warm = addContents(origin, warmup);
        String token = tenant(service, operatorToken, did, "one");
        long tw = System.nanoTime();
        for (String cid : warm) {
            pin(service, token, cid, origin);
        }
        pinned.await(token, warm);
        System.out.printf("BENCH-T warm-up%s (not measured): %d contents pinned through the service in %.1f s%n", label,
                warmup, (System.nanoTime() - tw) / 1e9);
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
        env.putAll(FastDispatch.env(EnumSet.of(FastDispatch.DIAL_PRIVATE_ORIGINS)));
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

    /**
     * The cluster's own time, without the service: a sequential {@code POST /pins/{cid}} (R=1) per content to the first
     * peer's REST API, then until every CID is a recursive pin on one of the peers' Kubo nodes. Returns seconds.
     */
    private static double clusterLoop(IpfsClusterPeers cluster, List<String> cids) throws Exception {
        long t = System.nanoTime();
        for (String cid : cids) {
            HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(cluster.first().restUrl() + "/pins/" + cid
                    + "?replication-min=1&replication-max=1&name=bench")).timeout(Duration.ofSeconds(60))
                    .POST(HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() / 100 != 2) {
                throw new IllegalStateException("cluster refused a pin: " + r.body());
            }
        }
        long deadline = System.nanoTime() + Duration.ofMinutes(60).toNanos();
        Set<String> missing = new HashSet<>(cids);
        while (!missing.isEmpty() && System.nanoTime() < deadline) {
            for (IpfsClusterPeers.Peer peer : cluster.peers()) {
                missing.removeAll(peer.kubo().recursivePins().keySet());
            }
            if (!missing.isEmpty()) {
                Thread.sleep(250);
            }
        }
        if (!missing.isEmpty()) {
            throw new IllegalStateException(missing.size() + " contents not pinned by the cluster within an hour");
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
     * Until every CID is pinned under our prefix on {@code copies} of {@code nodes}; returns the {@link System#nanoTime}
     * at which that was seen.
     *
     * <p>Kubo is the judge, but asking it often is not free: {@code pin/ls} lists every pin of a node (seconds for
     * a few thousand on a busy machine), and polling it back to back, as this bench once did, kept the nodes busy
     * with the bench itself for the whole restore, more so the more contents (the bare loop is never polled). So
     * the service's own record is watched instead (every 500 ms; a row turns {@code pinned} only after Kubo's
     * {@code pin/add} returned), and the nodes' {@code pin/ls} confirms it when it says done (and every 30 s for
     * the timeline); the time returned is the moment of the record that Kubo then confirmed.
     * A {@code BENCH-T} timeline line goes out every 5 s; with {@code profile}, the placement rows by state too
     * and, once, the plan of the claim's choice (PlacementQueue.claim without its update: keep the two alike).
     */
    private static long awaitCopies(String phase, Map<String, KuboDaemon> nodes, List<String> cids, int copies,
            Duration max, EmbeddedPostgres db, boolean profile) throws Exception {
        long start = System.nanoTime();
        long deadline = start + max.toNanos();
        long nextLine = start;
        long nextKubo = start + Duration.ofSeconds(30).toNanos();
        boolean explained = false;
        int kuboShort = -1;
        while (System.nanoTime() < deadline) {
            long seen = System.nanoTime();
            int recordShort = shortInRecord(db, nodes.keySet(), cids, copies);
            if (recordShort == 0 || seen >= nextKubo) {
                nextKubo = seen + Duration.ofSeconds(30).toNanos();
                kuboShort = shortOnNodes(nodes, cids, copies);
                if (kuboShort == 0) {
                    System.out.printf("BENCH-T %s t=%.1f s short=0 (confirmed by pin/ls on the nodes)%n", phase,
                            (seen - start) / 1e9);
                    return seen;
                }
            }
            long now = System.nanoTime();
            if (now >= nextLine) {
                nextLine = now + Duration.ofSeconds(5).toNanos();
                System.out.printf("BENCH-T %s t=%.1f s short=%d (pin/ls %s)%s%n", phase, (now - start) / 1e9, recordShort,
                        kuboShort < 0 ? "not asked yet" : "said " + kuboShort, !profile ? "" : " rows: " + sql(db, """
                                select string_agg(n.state || '/' || p.state || '=' || c, ' ' order by n.state, p.state)
                                from (select node, state, count(*) c from placement group by node, state) p
                                join node n on n.name = p.node""").strip());
                if (profile && !explained && recordShort > cids.size() / 4 && (now - start) > 8e9) {
                    explained = true;
                    // the workers' own candidate select (PlacementQueue.CLAIM_CANDIDATE), at the default concurrency
                    // limit (the bench does not set atpin.dispatch.node-concurrency)
                    System.out.println("BENCH-P claim plan with " + recordShort + " contents short:\n" + sql(db,
                            "explain (analyze, buffers)\nwith " + PlacementQueue.CLAIM_CANDIDATE + "select cid, node from due",
                            32));
                }
            }
            Thread.sleep(500);
        }
        throw new IllegalStateException("not every content reached " + copies + " copies within " + max);
    }

    /**
     * CIDs with fewer than {@code copies} pinned placements on {@code nodes}, by the service's record: one hash
     * aggregate (a subquery per CID cost 240 ms a poll at 3,000 contents on a busy machine: the bench's own load).
     */
    private static int shortInRecord(EmbeddedPostgres db, Set<String> nodes, List<String> cids, int copies)
            throws java.sql.SQLException {
        try (java.sql.Connection c = db.getPostgresDatabase().getConnection();
                java.sql.PreparedStatement q = c.prepareStatement("""
                        select count(*) from unnest(?::text[]) w(cid)
                        left join (select cid, count(*) as copies from placement
                                   where state = 'pinned' and node = any(?::text[]) group by cid) k on k.cid = w.cid
                        where coalesce(k.copies, 0) < ?""")) {
            q.setArray(1, c.createArrayOf("text", cids.toArray()));
            q.setArray(2, c.createArrayOf("text", nodes.toArray()));
            q.setInt(3, copies);
            try (java.sql.ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getInt(1);
            }
        }
    }

    /** CIDs with fewer than {@code copies} of our pins on {@code nodes}, by their {@code pin/ls}. */
    private static int shortOnNodes(Map<String, KuboDaemon> nodes, List<String> cids, int copies) {
        Map<String, Integer> count = new java.util.HashMap<>();
        for (KuboDaemon node : nodes.values()) {
            node.recursivePins().forEach((cid, name) -> {
                if (name.startsWith("atpin:")) {
                    count.merge(cid, 1, Integer::sum);
                }
            });
        }
        return (int) cids.stream().filter(cid -> count.getOrDefault(cid, 0) < copies).count();
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
    private static String sql(EmbeddedPostgres postgres, String statement, Object... parameters) throws java.sql.SQLException {
        StringBuilder out = new StringBuilder();
        try (java.sql.Connection c = postgres.getPostgresDatabase().getConnection();
                java.sql.PreparedStatement s = c.prepareStatement(statement)) {
            for (int i = 0; i < parameters.length; i++) {
                s.setObject(i + 1, parameters[i]);
            }
            if (s.execute()) {
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
