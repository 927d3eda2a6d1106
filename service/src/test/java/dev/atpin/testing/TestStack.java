package dev.atpin.testing;

import dev.atpin.db.EmbeddedDatabase;
import io.quarkus.test.common.QuarkusTestResourceLifecycleManager;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The real components every integration test runs against, started once per test run on
 * loopback: an embedded PostgreSQL, two Kubo nodes forming the service's cluster ({@code node-a},
 * {@code node-b}) and one Kubo node outside it ({@code outside}) that plays a user's own node.
 * The reference atproto PDS comes from {@link PdsTestResource}.
 *
 * <p>Anything that cannot start throws, so the test fails: nothing here ever skips.
 */
public class TestStack implements QuarkusTestResourceLifecycleManager {

    public static final List<String> CLUSTER = List.of("node-a", "node-b");
    public static final String OUTSIDE = "outside";

    private EmbeddedPostgres postgres;
    private final List<KuboDaemon> daemons = new ArrayList<>();

    @Override
    public Map<String, String> start() {
        Map<String, String> config = new HashMap<>();
        try {
            Path work = Files.createTempDirectory("atpin-test-");
            postgres = EmbeddedDatabase.start(work.resolve("postgres"), 0, false);
            config.put("quarkus.datasource.jdbc.url", EmbeddedDatabase.jdbcUrl(postgres));
            config.put("quarkus.datasource.username", "postgres");
            config.put("quarkus.datasource.password", "postgres");
            config.put("atpin.auth.key-dir", work.resolve("keys").toString());
            System.setProperty("atpin.test.jdbc-url", EmbeddedDatabase.jdbcUrl(postgres));
        } catch (IOException e) {
            throw new IllegalStateException("cannot create a temp dir for the test stack", e);
        }
        for (String name : List.of("node-a", "node-b", OUTSIDE)) {
            KuboDaemon daemon = KuboDaemon.start(name);
            daemons.add(daemon);
            System.setProperty("atpin.test.kubo." + name + ".api", daemon.apiUrl());
            System.setProperty("atpin.test.kubo." + name + ".repo", daemon.repo().toString());
        }
        for (int i = 0; i < daemons.size(); i++) {
            for (int j = i + 1; j < daemons.size(); j++) {
                daemons.get(i).connect(daemons.get(j));
            }
        }
        for (String name : CLUSTER) {
            config.put("atpin.kubo.nodes." + name + ".rpc-url", System.getProperty("atpin.test.kubo." + name + ".api"));
        }
        return config;
    }

    @Override
    public void stop() {
        daemons.forEach(KuboDaemon::close);
        if (postgres != null) {
            try {
                postgres.close();
            } catch (IOException ignored) {
                // the temp dir goes with the JVM's temp files
            }
        }
    }
}
