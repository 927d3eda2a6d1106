package dev.atpin.loadtests.bench;

import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Map;

/**
 * The embedded PostgreSQL (zonky, the service's own local database) that the service, pgbench and the
 * seeder share. Measurements run durable: fsync and synchronous commits on, as {@code ./atpin run}
 * has them. Seeding runs with WAL and fsync off, then the server is restarted durable.
 */
final class BenchPostgres implements AutoCloseable {

    /** Settings of the measured runs: durable, with enough shared buffers for a 1M-pin tenant's indexes. */
    static final Map<String, String> DURABLE = Map.of(
            "fsync", "on", "synchronous_commit", "on", "full_page_writes", "on",
            "shared_buffers", "512MB", "max_connections", "200", "max_wal_size", "4GB");

    /** Loading only: nothing here needs to survive a crash (the seed is redone when unmarked). */
    static final Map<String, String> LOADING = Map.of(
            "fsync", "off", "synchronous_commit", "off", "full_page_writes", "off",
            "shared_buffers", "512MB", "max_connections", "200", "max_wal_size", "16GB",
            "wal_level", "minimal", "max_wal_senders", "0", "checkpoint_timeout", "1h",
            "max_parallel_maintenance_workers", "2");

    private final EmbeddedPostgres postgres;

    private BenchPostgres(EmbeddedPostgres postgres) {
        this.postgres = postgres;
    }

    static BenchPostgres start(Path dataDir, Map<String, String> settings) {
        try {
            Files.createDirectories(dataDir.getParent());
            EmbeddedPostgres.Builder builder = EmbeddedPostgres.builder()
                    .setDataDirectory(dataDir)
                    .setCleanDataDirectory(false)
                    .setServerConfig("listen_addresses", "127.0.0.1");
            settings.forEach(builder::setServerConfig);
            return new BenchPostgres(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException("could not start PostgreSQL in " + dataDir, e);
        }
    }

    int port() {
        return postgres.getPort();
    }

    String jdbcUrl() {
        return "jdbc:postgresql://127.0.0.1:" + port() + "/postgres";
    }

    Connection connect() throws SQLException {
        return DriverManager.getConnection(jdbcUrl(), "postgres", "postgres");
    }

    @Override
    public void close() {
        try {
            postgres.close();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
