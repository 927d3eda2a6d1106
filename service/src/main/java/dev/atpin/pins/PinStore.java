package dev.atpin.pins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectReader;
import dev.atpin.dispatch.NodeRegistry;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.UUID;

/**
 * SQL for {@code pin_request}. Every query starts with the tenant's DID, so one tenant's rows are
 * never read for another, and every list is an index range scan in {@code created} order.
 */
@ApplicationScoped
public class PinStore {

    private static final String COLUMNS = """
            select r.id, r.did, r.cid, r.cid_input, r.name, r.meta::text, r.origins, r.status, r.created,
                   r.source, coalesce(r.failure, ct.status_details), ct.size_bytes,
                   r.failure is not null, ct.restored_from, ct.replication
            """;
    private static final String FROM = " from pin_request r join content ct on ct.cid = r.cid ";
    private static final String SELECT = COLUMNS + FROM;
    /**
     * The request columns {@link #COLUMNS} reads, for a page's inner query: the page is filtered, ordered and
     * limited on {@code pin_request} alone and only its rows are joined to {@code content}. With the join
     * inside, a plan that sorts the matches (a bitmap over a filter's index) joined every match before the
     * limit: 20,000 content lookups for a page of 10 (issue 11, ADR 0114).
     */
    private static final String PAGE_ROWS =
            "select r.id, r.did, r.cid, r.cid_input, r.name, r.meta, r.origins, r.status, r.created, r.source, r.failure"
            + " from pin_request r";

    /**
     * What a view of a request needs besides the request (columns 16 and 17 after {@link #COLUMNS}): the
     * delegates' holders (nodes that hold the content or are about to fetch it; not a failed placement, not a copy
     * being released, not a node that is down) and the copies pinned on active nodes. Subqueries of the
     * same statement, so a page or a lookup with its views is one round trip; {@code %1$s} is the CID column.
     * {@link #HOLDERS} and {@link #PINNED_COPIES} say how a target that replicates itself counts.
     */
    private static final String COPIES = """
            , array(%2$s where p.cid = %1$s and p.state in ('queued', 'pinning', 'pinned') and n.state <> 'down'
                    order by 1),
              (%3$s where p.cid = %1$s and p.state = 'pinned' and n.state = 'active')
            """;
    /**
     * A content's holders on its placements: the node, or on a target that replicates itself (IPFS Cluster) and
     * whose holders were read ({@code placement.copy_peers}), {@code <node>/<peer>} for each peer that holds it
     * ({@link NodeRegistry#delegatesOf} hands out that peer's addresses alone). A row still being pinned names the
     * whole target: every peer may be the one fetching.
     */
    private static final String HOLDERS = """
            select coalesce(p.node || '/' || x.peer, p.node) from placement p join node n on n.name = p.node
            left join lateral unnest(p.copy_peers) x(peer) on true""";
    /**
     * Pinned copies: a row is one (Kubo-direct), or as many as the peers its target reported holding it (IPFS
     * Cluster: {@code copy_peers}; one until they were read).
     */
    private static final String PINNED_COPIES = """
            select coalesce(sum(coalesce(cardinality(p.copy_peers), 1)), 0) from placement p
            join node n on n.name = p.node""";
    /** The status counters of the tenant (column 18 of a page that has it): an InitPlan, evaluated once. */
    private static final String TOTAL = ", (select coalesce(sum(pins), 0) from pin_status_usage where did = ? and status = any(?))";
    private static final TypeReference<Map<String, String>> STRING_MAP = new TypeReference<>() {};

    private final AgroalDataSource db;
    private final ObjectMapper json;
    /** Reads every row's meta: resolved once, not per row (it showed in the list's profile). */
    private final ObjectReader metaReader;

    PinStore(AgroalDataSource db, ObjectMapper json) {
        this.db = db;
        this.json = json;
        this.metaReader = json.readerFor(STRING_MAP);
    }

    /**
     * The next {@code created} for the tenant: now, to the millisecond, or 1 ms after the last one
     * handed out. Locks the account row, which also serializes the tenant's writes.
     */
    public Instant nextCreated(String did) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update account set last_created = greatest(date_trunc('milliseconds', clock_timestamp()),
                                                                   last_created + interval '1 millisecond')
                        where did = ? returning last_created""")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    throw new IllegalStateException("no account row for " + did);
                }
                return rs.getObject(1, OffsetDateTime.class).toInstant();
            }
        }
    }

    public void insert(PinRequest r) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        insert into pin_request (id, did, cid, cid_input, name, meta, origins, status, created, source)
                        values (?, ?, ?, ?, ?, ?::jsonb, ?, ?, ?, ?)""")) {
            q.setObject(1, r.id());
            q.setString(2, r.did());
            q.setString(3, r.cid());
            q.setString(4, r.cidInput());
            q.setString(5, r.name());
            q.setString(6, toJson(r.meta()));
            q.setArray(7, c.createArrayOf("text", r.origins().toArray()));
            q.setString(8, r.status());
            q.setObject(9, utc(r.created()));
            q.setString(10, r.source());
            q.executeUpdate();
        }
    }

    /** Whether the tenant has the request: one index lookup, nothing read. */
    public boolean exists(String did, UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("select 1 from pin_request where did = ? and id = ?")) {
            q.setString(1, did);
            q.setObject(2, id);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    public Optional<PinRequest> find(String did, UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(SELECT + " where r.did = ? and r.id = ?")) {
            q.setString(1, did);
            q.setObject(2, id);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    /** The tenant's requests among {@code ids}, on the caller's connection (inside its transaction). */
    public List<PinRequest> findAll(Connection c, String did, List<UUID> ids) throws SQLException {
        List<PinRequest> out = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement(SELECT + " where r.did = ? and r.id = any(?)")) {
            q.setString(1, did);
            q.setArray(2, c.createArrayOf("uuid", ids.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(read(rs));
                }
            }
        }
        return out;
    }

    public Optional<PinRequest> findBySource(String did, String source) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(SELECT + " where r.did = ? and r.source = ? and r.source <> 'api'")) {
            q.setString(1, did);
            q.setString(2, source);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next() ? Optional.of(read(rs)) : Optional.empty();
            }
        }
    }

    public void updateNameAndOrigins(UUID id, String name, List<String> origins) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("update pin_request set name = ?, origins = ? where id = ?")) {
            q.setString(1, name);
            q.setArray(2, c.createArrayOf("text", origins.toArray()));
            q.setObject(3, id);
            q.executeUpdate();
        }
    }

    public void setBackup(String did, String source, String backupJson) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "update pin_request set backup = ?::jsonb where did = ? and source = ? and source <> 'api'")) {
            q.setString(1, backupJson);
            q.setString(2, did);
            q.setString(3, source);
            q.executeUpdate();
        }
    }

    /** Record-backed requests of a tenant: source → normalized CID. */
    public Map<String, String> recordSources(String did) throws SQLException {
        Map<String, String> out = new java.util.HashMap<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select source, cid from pin_request where did = ? and source <> 'api'")) {
            q.setString(1, did);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), rs.getString(2));
                }
            }
        }
        return out;
    }

    /** Deletes the tenant's request; false when it has no such request. */
    public boolean delete(String did, UUID id) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("delete from pin_request where did = ? and id = ?")) {
            q.setString(1, did);
            q.setObject(2, id);
            return q.executeUpdate() > 0;
        }
    }

    /**
     * Requests of a page with what their views need ({@link Page}), in one statement. The copies are
     * computed over the page only (an outer query over the limited inner one), whatever plan the filter
     * gets; with status filters only, the page also carries the tenant's count from the counters.
     */
    public Page page(Connection c, String did, PinQuery query) throws SQLException {
        Filter where = Filter.of(did, query);
        boolean withTotal = query.onlyStatusFilter();
        String sql = "select page.*" + COPIES.formatted("page.cid", HOLDERS, PINNED_COPIES) + (withTotal ? TOTAL : "")
                + " from (" + COLUMNS + " from (" + PAGE_ROWS + where.sql + " order by r.created desc limit ?) r"
                + " join content ct on ct.cid = r.cid) page order by page.created desc";
        try (PreparedStatement q = c.prepareStatement(sql)) {
            int next = 1;
            if (withTotal) {
                q.setString(next++, did);
                q.setArray(next++, c.createArrayOf("text", query.statuses().toArray()));
            }
            next = where.bind(c, q, next);
            q.setInt(next, query.limit());
            return readPage(q, withTotal);
        }
    }

    /** The tenant's request {@code id} with what its view needs, in one statement; empty when it has none. */
    public Page findWithCopies(Connection c, String did, UUID id) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                COLUMNS + COPIES.formatted("r.cid", HOLDERS, PINNED_COPIES) + FROM + " where r.did = ? and r.id = ?")) {
            q.setString(1, did);
            q.setObject(2, id);
            return readPage(q, false);
        }
    }

    /**
     * Requests as read, with for each CID its delegates' nodes and its {@link Replicas}, and, when the
     * statement carried it and returned a row, the tenant's count from the status counters.
     */
    public record Page(List<PinRequest> requests, Map<String, List<String>> placements,
            Map<String, Replicas> replicas, OptionalLong total) {}

    private Page readPage(PreparedStatement q, boolean withTotal) throws SQLException {
        List<PinRequest> requests = new ArrayList<>();
        Map<String, List<String>> placements = new java.util.HashMap<>();
        Map<String, Replicas> replicas = new java.util.HashMap<>();
        OptionalLong total = OptionalLong.empty();
        try (ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                PinRequest r = read(rs);
                requests.add(r);
                placements.put(r.cid(), Arrays.asList((String[]) rs.getArray(16).getArray()));
                replicas.put(r.cid(), new Replicas(rs.getInt(17), rs.getInt(15)));
                if (withTotal) {
                    total = OptionalLong.of(rs.getLong(18));
                }
            }
        }
        return new Page(requests, placements, replicas, total);
    }

    /** How many requests match; with status filters only, read from the counters, not the rows. */
    public long count(Connection c, String did, PinQuery query) throws SQLException {
        if (query.onlyStatusFilter()) {
            return count(c, did, query.statuses());
        }
        if (query.statusFilterWithOneCursor()) {
            return countAcrossCursor(c, did, query);
        }
        return countRows(c, did, query);
    }

    private static long countRows(Connection c, String did, PinQuery query) throws SQLException {
        Filter where = Filter.of(did, query);
        try (PreparedStatement q = c.prepareStatement("select count(*) from pin_request r" + where.sql)) {
            where.bind(c, q);
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Paging with a cursor: the count of one side of it is the status counters minus the count of the other
     * side, so we count whichever side looks smaller (by where the cursor falls between the oldest and newest
     * matching request, two index probes). Still exact; at most half the tenant's index entries are read,
     * and a page near either end (Kubo pages from the newest) reads only the few beyond it.
     */
    private static long countAcrossCursor(Connection c, String did, PinQuery query) throws SQLException {
        boolean before = query.before().isPresent();
        Instant cursor = before ? query.before().get() : query.after().get();
        Optional<double[]> span = createdSpan(c, did, query.statuses());
        if (span.isEmpty()) {
            return 0;
        }
        double position = (cursor.toEpochMilli() - span.get()[0]) / Math.max(1.0, span.get()[1] - span.get()[0]);
        double wantedSide = before ? position : 1 - position;
        if (wantedSide <= 0.5) {
            return countRows(c, did, query);
        }
        long total = count(c, did, query.statuses());
        try (PreparedStatement q = c.prepareStatement("select count(*) from pin_request r where r.did = ?"
                + " and r.status = any(?) and r.created " + (before ? ">=" : "<=") + " ?")) {
            q.setString(1, did);
            q.setArray(2, c.createArrayOf("text", query.statuses().toArray()));
            q.setObject(3, utc(cursor));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return total - rs.getLong(1);
            }
        }
    }

    /** Oldest and newest {@code created} (epoch ms) of the tenant's requests in these statuses: one index probe each. */
    private static Optional<double[]> createdSpan(Connection c, String did, Set<String> statuses) throws SQLException {
        double oldest = Double.MAX_VALUE;
        double newest = -Double.MAX_VALUE;
        try (PreparedStatement q = c.prepareStatement("select (select min(created) from pin_request where did = ?"
                + " and status = ?), (select max(created) from pin_request where did = ? and status = ?)")) {
            for (String status : statuses) {
                q.setString(1, did);
                q.setString(2, status);
                q.setString(3, did);
                q.setString(4, status);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    OffsetDateTime min = rs.getObject(1, OffsetDateTime.class);
                    OffsetDateTime max = rs.getObject(2, OffsetDateTime.class);
                    if (min != null) {
                        oldest = Math.min(oldest, min.toInstant().toEpochMilli());
                        newest = Math.max(newest, max.toInstant().toEpochMilli());
                    }
                }
            }
        }
        return oldest > newest ? Optional.empty() : Optional.of(new double[] {oldest, newest});
    }

    private static long count(Connection c, String did, Set<String> statuses) throws SQLException {
        try (PreparedStatement q = c.prepareStatement(
                "select coalesce(sum(pins), 0) from pin_status_usage where did = ? and status = any(?)")) {
            q.setString(1, did);
            q.setArray(2, c.createArrayOf("text", statuses.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /** For each CID, the holders of its content ({@link #HOLDERS}: the nodes it is (to be) pinned on). */
    public Map<String, List<String>> placements(List<String> cids) throws SQLException {
        if (cids.isEmpty()) {
            return new java.util.HashMap<>();
        }
        try (Connection c = db.getConnection()) {
            return placements(c, cids);
        }
    }

    /** The same, on the caller's connection. */
    public Map<String, List<String>> placements(Connection c, List<String> cids) throws SQLException {
        Map<String, List<String>> out = new java.util.HashMap<>();
        if (cids.isEmpty()) {
            return out;
        }
        // The delegates: nodes that hold the content or are (about to be) fetching it; not a failed placement,
        // not a copy being released, not a node that is down.
        try (PreparedStatement q = c.prepareStatement(HOLDERS.replace("select ", "select p.cid, ") + """

                where p.cid = any(?) and p.state in ('queued', 'pinning', 'pinned') and n.state <> 'down'
                order by 2""")) {
            q.setArray(1, c.createArrayOf("text", cids.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.computeIfAbsent(rs.getString(1), k -> new ArrayList<>()).add(rs.getString(2));
                }
            }
        }
        return out;
    }

    /**
     * Copies of a content: pinned on active nodes (on a target that replicates itself, the peers that hold it), and
     * wanted (its replication R).
     */
    public record Replicas(int pinned, int wanted) {}

    /** {@link Replicas} of each of {@code cids}, on the caller's connection. */
    public Map<String, Replicas> replicas(Connection c, List<String> cids) throws SQLException {
        Map<String, Replicas> out = new java.util.HashMap<>();
        if (cids.isEmpty()) {
            return out;
        }
        try (PreparedStatement q = c.prepareStatement("""
                select ct.cid, ct.replication,
                       (%s where p.cid = ct.cid and p.state = 'pinned' and n.state = 'active')
                from content ct where ct.cid = any(?)""".formatted(PINNED_COPIES))) {
            q.setArray(1, c.createArrayOf("text", cids.toArray()));
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.put(rs.getString(1), new Replicas(rs.getInt(3), rs.getInt(2)));
                }
            }
        }
        return out;
    }

    public Map<String, Replicas> replicas(List<String> cids) throws SQLException {
        try (Connection c = db.getConnection()) {
            return replicas(c, cids);
        }
    }

    /** The WHERE clause of a list or count, with its parameters in order. */
    private record Filter(String sql, List<Object> params) {

        static Filter of(String did, PinQuery query) {
            StringBuilder sql = new StringBuilder(" where r.did = ?");
            List<Object> params = new ArrayList<>();
            params.add(did);
            if (query.statuses().size() < PinStatus.ALL.size()) {
                sql.append(" and r.status = any(?)");
                params.add(query.statuses().toArray(String[]::new));
            }
            if (!query.cids().isEmpty()) {
                sql.append(" and r.cid = any(?)");
                params.add(query.cids().toArray(String[]::new));
            }
            query.name().ifPresent(name -> {
                switch (query.match()) {
                    case EXACT -> sql.append(" and r.name = ?");
                    case IEXACT -> sql.append(" and lower(r.name) = lower(?)");
                    case PARTIAL -> sql.append(" and r.name like ? escape '\\'");
                    case IPARTIAL -> sql.append(" and r.name ilike ? escape '\\'");
                }
                boolean partial = query.match() == TextMatch.PARTIAL || query.match() == TextMatch.IPARTIAL;
                params.add(partial ? "%" + escapeLike(name) + "%" : name);
            });
            if (!query.meta().isEmpty()) {
                sql.append(" and r.meta @> ?::jsonb");
                params.add(new JsonText(toJsonStatic(query.meta())));
            }
            switch (query.origin()) {
                case API -> sql.append(" and r.source = 'api'");
                case RECORD -> sql.append(" and r.source <> 'api'");
                case ANY -> { }
            }
            query.before().ifPresent(b -> {
                sql.append(" and r.created < ?");
                params.add(utc(b));
            });
            query.after().ifPresent(a -> {
                sql.append(" and r.created > ?");
                params.add(utc(a));
            });
            return new Filter(sql.toString(), params);
        }

        int bind(Connection c, PreparedStatement q) throws SQLException {
            return bind(c, q, 1);
        }

        /** Binds the parameters from index {@code first}; returns the next free index. */
        int bind(Connection c, PreparedStatement q, int first) throws SQLException {
            int i = first;
            for (Object p : params) {
                if (p instanceof String[] array) {
                    q.setArray(i++, c.createArrayOf("text", array));
                } else if (p instanceof JsonText text) {
                    q.setString(i++, text.json());
                } else {
                    q.setObject(i++, p);
                }
            }
            return i;
        }

        private static String escapeLike(String s) {
            return s.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_");
        }
    }

    private record JsonText(String json) {}

    private static OffsetDateTime utc(Instant instant) {
        return instant.atOffset(ZoneOffset.UTC);
    }

    private PinRequest read(ResultSet rs) throws SQLException {
        Array origins = rs.getArray(7);
        return new PinRequest(
                rs.getObject(1, UUID.class),
                rs.getString(2),
                rs.getString(3),
                rs.getString(4),
                rs.getString(5),
                fromJson(rs.getString(6)),
                origins == null ? List.of() : Arrays.asList((String[]) origins.getArray()),
                rs.getString(8),
                rs.getObject(9, OffsetDateTime.class).toInstant(),
                rs.getString(10),
                rs.getString(11),
                (Long) rs.getObject(12),
                rs.getBoolean(13),
                rs.getString(14));
    }

    private String toJson(Map<String, String> map) {
        try {
            return json.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    /** Plain string maps only: a shared mapper, not one built per query. */
    private static final ObjectMapper META_JSON = new ObjectMapper();

    private static String toJsonStatic(Map<String, String> map) {
        try {
            return META_JSON.writeValueAsString(map);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private Map<String, String> fromJson(String text) {
        try {
            return metaReader.readValue(text);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException("corrupt meta in the database", e);
        }
    }
}
