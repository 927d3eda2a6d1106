package dev.atpin.dispatch;

import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/** The queue's depth and the nodes' health, for operators. */
@ApplicationScoped
public class ClusterStatus {

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();

    private final AgroalDataSource db;

    ClusterStatus(AgroalDataSource db) {
        this.db = db;
    }

    public Map<String, Object> queue() throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select count(*) filter (where state = 'queued'),
                               count(*) filter (where state = 'queued' and next_attempt_at <= now()),
                               count(*) filter (where state = 'pinning'),
                               count(*) filter (where state = 'pinned'),
                               count(*) filter (where state = 'failed'),
                               coalesce(extract(epoch from now() - min(updated_at) filter (where state = 'queued')), 0)
                        from placement""");
                ResultSet rs = q.executeQuery()) {
            rs.next();
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("queued", rs.getLong(1));
            out.put("due", rs.getLong(2));
            out.put("pinning", rs.getLong(3));
            out.put("pinned", rs.getLong(4));
            out.put("failed", rs.getLong(5));
            out.put("oldestQueuedSeconds", Math.round(rs.getDouble(6)));
            return out;
        }
    }

    /** Every node with its state, space and placements by state, in name order. */
    public List<Map<String, Object>> nodes() throws SQLException {
        return nodes(null);
    }

    /** One node as {@link #nodes()} reports it; empty when there is no such node. */
    public Optional<Map<String, Object>> node(String name) throws SQLException {
        return nodes(name).stream().findFirst();
    }

    private List<Map<String, Object>> nodes(String only) throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select n.name, n.rpc_url, n.peer_id, n.multiaddrs, n.agent, n.healthy,
                               to_char(n.last_seen at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'), n.last_error,
                               n.state, n.draining, n.repo_size_bytes, n.storage_max_bytes, n.free_bytes,
                               to_char(n.state_changed_at at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"'),
                               (select coalesce(jsonb_object_agg(state, k), '{}')::text
                                from (select p.state, count(*) k from placement p where p.node = n.name
                                      group by p.state) byState),
                               exists (select 1 from registered_node r where r.name = n.name)
                        from node n where (cast(? as text) is null or n.name = ?) order by n.name""")) {
            q.setString(1, only);
            q.setString(2, only);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    out.add(row(rs));
                }
            }
        }
        return out;
    }

    private static Map<String, Object> row(ResultSet rs) throws SQLException {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("name", rs.getString(1));
        node.put("rpcUrl", rs.getString(2));
        node.put("peerId", rs.getString(3));
        Array addrs = rs.getArray(4);
        node.put("multiaddrs", addrs == null ? List.of() : Arrays.asList((String[]) addrs.getArray()));
        node.put("agent", rs.getString(5));
        node.put("healthy", rs.getBoolean(6));
        node.put("lastSeen", rs.getString(7));
        node.put("lastError", rs.getString(8));
        node.put("state", rs.getString(9));
        node.put("draining", rs.getBoolean(10));
        node.put("repoSizeBytes", rs.getObject(11));
        node.put("storageMaxBytes", rs.getObject(12));
        node.put("freeBytes", rs.getObject(13));
        node.put("stateChangedAt", rs.getString(14));
        Map<String, Long> placements = new TreeMap<>();
        try {
            JSON.readTree(rs.getString(15)).fields().forEachRemaining(e -> placements.put(e.getKey(), e.getValue().asLong()));
        } catch (java.io.IOException e) {
            throw new IllegalStateException("Postgres built invalid JSON", e);
        }
        node.put("placements", placements);
        node.put("pinned", placements.getOrDefault("pinned", 0L));
        node.put("source", rs.getBoolean(16) ? "admin-api" : "config");
        return node;
    }
}
