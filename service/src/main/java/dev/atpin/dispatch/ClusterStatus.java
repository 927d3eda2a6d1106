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

/** The queue's depth and the nodes' health, for operators. */
@ApplicationScoped
public class ClusterStatus {

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

    public List<Map<String, Object>> nodes() throws SQLException {
        List<Map<String, Object>> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select n.name, n.rpc_url, n.peer_id, n.multiaddrs, n.agent, n.healthy, n.last_seen, n.last_error,
                               (select count(*) from placement p where p.node = n.name and p.state = 'pinned')
                        from node n order by n.name""");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
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
                node.put("pinned", rs.getLong(9));
                out.add(node);
            }
        }
        return out;
    }
}
