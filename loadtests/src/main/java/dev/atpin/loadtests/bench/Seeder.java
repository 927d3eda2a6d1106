package dev.atpin.loadtests.bench;

import dev.atpin.loadtests.gatling.BenchParams;
import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.postgresql.PGConnection;
import org.postgresql.copy.CopyIn;

/**
 * Fills the database with pins straight through {@code COPY}, never through the API: tenant 0 holds
 * {@code bigTenantPins}, the other tenants share the rest. Every pin has its own content and a
 * placement on node {@code local}; the usage counters are written to match, as the triggers would.
 *
 * <p>Constraints and indexes of the three big tables are dropped before loading and rebuilt after
 * (far faster than maintaining them row by row), triggers and foreign-key checks are off for the
 * session ({@code session_replication_role = replica}); the tables are vacuumed and analyzed at the end.
 *
 * <p>Everything is a function of (tenant, index), so the runner can name existing requests, CIDs,
 * names and meta values without asking the database.
 */
final class Seeder {

    static final String PLAN = "bench";
    static final String NODE = "local";
    private static final Instant T0 = Instant.parse("2025-01-01T00:00:00Z");
    private static final DateTimeFormatter TS =
            DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm:ss.SSSXXX").withZone(ZoneOffset.UTC);
    private static final String[] STATUSES = {"queued", "pinning", "pinned", "failed"};
    private static final List<String> TABLES = List.of("pin_request", "placement", "content");

    private final BenchOptions options;
    private final Progress progress;

    Seeder(BenchOptions options, Progress progress) {
        this.options = options;
        this.progress = progress;
    }

    static String tenantDid(int tenant) {
        return String.format("did:plc:benchtenant%06d", tenant);
    }

    static UUID requestId(int tenant, long i) {
        return new UUID(((long) tenant << 40) | (i & 0xFF_FFFF_FFFFL), 0x8000_0000_0000_0000L | i);
    }

    static String cid(int tenant, long i) {
        return BenchParams.rawCid(sha256("bench:" + tenant + ":" + i));
    }

    static String name(long i) {
        return "pin-" + i;
    }

    /** Each batch holds 100 consecutive pins of a tenant: a meta filter matching 100 requests. */
    static String batch(long i) {
        return "b" + (i / 100);
    }

    /** 90 % pinned, 5 % queued, 3 % pinning, 2 % failed, spread evenly. */
    static String status(long i) {
        long r = (i * 37) % 100;
        return r < 90 ? "pinned" : r < 95 ? "queued" : r < 98 ? "pinning" : "failed";
    }

    static Instant created(long i) {
        return T0.plusMillis(i);
    }

    long pinsOf(int tenant) {
        if (tenant == 0) {
            return options.bigTenantPins();
        }
        long rest = options.pins() - options.bigTenantPins();
        int others = options.tenants() - 1;
        return rest / others + (tenant <= rest % others ? 1 : 0);
    }

    void seed(Connection c) throws SQLException {
        c.setAutoCommit(true);
        try (Statement s = c.createStatement()) {
            s.execute("set session_replication_role = replica");
            s.execute("set maintenance_work_mem = '1GB'");
            s.execute("insert into node (name, rpc_url) values ('" + NODE + "', 'http://127.0.0.1:5001') on conflict do nothing");
        }
        List<String> rebuild = dropConstraintsAndIndexes(c);
        try (Statement s = c.createStatement()) {
            s.execute("truncate pin_request, placement, content, deferred_release, pin_status_delta, pin_status_count, account_usage, rate_window");
            s.execute("delete from api_token where did like 'did:plc:bench%'");
            s.execute("delete from account where did like 'did:plc:bench%'");
        }
        insertAccounts(c);
        long total = options.pins();
        long started = System.nanoTime();
        try (Copy content = new Copy(c, "copy content (cid, refcount, status, status_details, size_bytes, replication) from stdin");
                Copy placement = new Copy(c, "copy placement (cid, node, state, attempts, last_error) from stdin");
                Copy requests = new Copy(c,
                        "copy pin_request (id, did, cid, cid_input, name, meta, status, created, charged_bytes) from stdin")) {
            // Three COPYs at once need three connections; the first is ours, the others are opened here.
            long done = 0;
            for (int tenant = 0; tenant < options.tenants(); tenant++) {
                String did = tenantDid(tenant);
                long n = pinsOf(tenant);
                for (long i = 0; i < n; i++) {
                    String cid = cid(tenant, i);
                    String status = status(i);
                    boolean pinned = status.equals("pinned");
                    String size = pinned ? Long.toString(1000 + i % 100_000) : "\\N";
                    content.row(cid, "1", status, status.equals("failed") ? NODE + ": benchmark failure" : "\\N", size, "1");
                    placement.row(cid, NODE, status, status.equals("failed") ? "12" : "0",
                            status.equals("failed") ? "benchmark failure" : "\\N");
                    requests.row(requestId(tenant, i).toString(), did, cid, cid, name(i),
                            "{\"app\": \"app" + (i % 10) + "\", \"batch\": \"" + batch(i) + "\"}", status,
                            TS.format(created(i)), size);
                    if (++done % 200_000 == 0) {
                        progress.step(String.format("seeded %,d of %,d pins (%.0f pins/s)", done, total,
                                done / ((System.nanoTime() - started) / 1e9)));
                    }
                }
            }
        }
        progress.step(String.format("copied %,d pins in %.0f s; writing usage counters", total, (System.nanoTime() - started) / 1e9));
        writeCounters(c);
        for (String ddl : rebuild) {
            progress.step("rebuilding: " + abbreviate(ddl));
            try (Statement s = c.createStatement()) {
                s.execute(ddl);
            }
        }
        progress.step("vacuum analyze");
        try (Statement s = c.createStatement()) {
            for (String table : TABLES) {
                s.execute("vacuum (analyze) " + table);
            }
            s.execute("vacuum (analyze) account");
            s.execute("checkpoint");
        }
    }

    private void insertAccounts(Connection c) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "insert into account (did, plan, last_created) values (?, '" + PLAN + "', ?)")) {
            for (int tenant = 0; tenant < options.tenants(); tenant++) {
                q.setString(1, tenantDid(tenant));
                q.setObject(2, OffsetDateTime.ofInstant(created(Math.max(0, pinsOf(tenant) - 1)), ZoneOffset.UTC));
                q.addBatch();
            }
            q.executeBatch();
        }
    }

    /** account_usage and pin_status_count as the triggers would have left them. */
    private void writeCounters(Connection c) throws SQLException {
        try (PreparedStatement usage = c.prepareStatement("insert into account_usage (did, pins, bytes) values (?, ?, ?)");
                PreparedStatement byStatus = c.prepareStatement(
                        "insert into pin_status_count (did, status, pins, bytes) values (?, ?, ?, ?)")) {
            for (int tenant = 0; tenant < options.tenants(); tenant++) {
                long n = pinsOf(tenant);
                long[] pins = new long[STATUSES.length];
                long[] bytes = new long[STATUSES.length];
                for (long i = 0; i < n; i++) {
                    int s = List.of(STATUSES).indexOf(status(i));
                    pins[s]++;
                    if (s == 2) {
                        bytes[s] += 1000 + i % 100_000;
                    }
                }
                usage.setString(1, tenantDid(tenant));
                usage.setLong(2, n);
                usage.setLong(3, bytes[2]);
                usage.addBatch();
                for (int s = 0; s < STATUSES.length; s++) {
                    byStatus.setString(1, tenantDid(tenant));
                    byStatus.setString(2, STATUSES[s]);
                    byStatus.setLong(3, pins[s]);
                    byStatus.setLong(4, bytes[s]);
                    byStatus.addBatch();
                }
            }
            usage.executeBatch();
            byStatus.executeBatch();
        }
    }

    /**
     * Drops the foreign keys touching the big tables, then their keys and indexes, and returns the
     * statements that recreate them, indexes and keys first, foreign keys last.
     */
    private static List<String> dropConstraintsAndIndexes(Connection c) throws SQLException {
        List<String> drops = new ArrayList<>();
        List<String> keys = new ArrayList<>();
        List<String> foreign = new ArrayList<>();
        List<String> indexes = new ArrayList<>();
        String tables = "('" + String.join("','", TABLES) + "')";
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        select con.conname, rel.relname, con.contype, pg_get_constraintdef(con.oid)
                        from pg_constraint con
                        join pg_class rel on rel.oid = con.conrelid
                        left join pg_class ref on ref.oid = con.confrelid
                        where con.contype in ('p', 'u', 'f')
                          and (rel.relname in %s or ref.relname in %s)
                          and rel.relnamespace = 'public'::regnamespace
                        order by con.contype = 'f' desc""".formatted(tables, tables))) {
            while (rs.next()) {
                String name = rs.getString(1);
                String table = rs.getString(2);
                String add = "alter table " + table + " add constraint " + name + " " + rs.getString(4);
                drops.add("alter table " + table + " drop constraint " + name);
                ("f".equals(rs.getString(3)) ? foreign : keys).add(add);
            }
        }
        try (Statement s = c.createStatement();
                ResultSet rs = s.executeQuery("""
                        select i.indexname, i.indexdef from pg_indexes i
                        where i.schemaname = 'public' and i.tablename in %s
                          and not exists (select 1 from pg_constraint con where con.conname = i.indexname)""".formatted(tables))) {
            while (rs.next()) {
                drops.add("drop index " + rs.getString(1));
                indexes.add(rs.getString(2));
            }
        }
        try (Statement s = c.createStatement()) {
            for (String drop : drops) {
                s.execute(drop);
            }
        }
        List<String> rebuild = new ArrayList<>(keys);
        rebuild.addAll(indexes);
        rebuild.addAll(foreign);
        return rebuild;
    }

    private static String abbreviate(String ddl) {
        return ddl.length() > 110 ? ddl.substring(0, 107) + "..." : ddl;
    }

    static byte[] sha256(String text) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(text.getBytes(StandardCharsets.UTF_8));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** One COPY ... FROM STDIN on its own connection, fed in 1 MiB chunks of tab-separated rows. */
    private static final class Copy implements AutoCloseable {

        private final Connection connection;
        private final CopyIn copy;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream(1 << 20);

        Copy(Connection like, String sql) throws SQLException {
            this.connection = java.sql.DriverManager.getConnection(like.getMetaData().getURL(), "postgres", "postgres");
            try (Statement s = connection.createStatement()) {
                s.execute("set session_replication_role = replica");
            }
            this.copy = connection.unwrap(PGConnection.class).getCopyAPI().copyIn(sql);
        }

        void row(String... columns) throws SQLException {
            for (int k = 0; k < columns.length; k++) {
                if (k > 0) {
                    buffer.write('\t');
                }
                buffer.writeBytes(columns[k].getBytes(StandardCharsets.UTF_8));
            }
            buffer.write('\n');
            if (buffer.size() >= (1 << 20)) {
                flush();
            }
        }

        private void flush() throws SQLException {
            copy.writeToCopy(buffer.toByteArray(), 0, buffer.size());
            buffer.reset();
        }

        @Override
        public void close() throws SQLException {
            try {
                flush();
                copy.endCopy();
            } finally {
                connection.close();
            }
        }
    }
}
