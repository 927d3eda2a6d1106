package dev.atpin.admin;

import dev.atpin.api.ApiException;
import dev.atpin.dispatch.ClusterStatus;
import dev.atpin.dispatch.NodeRegistry;
import dev.atpin.operators.Operator;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Operators' drain and activate of a Kubo node. A drained node takes no new placements and self-healing moves
 * its contents to other nodes (its copies go only once the new ones are pinned); activate undoes that. Audited
 * in the transaction of the change.
 */
@ApplicationScoped
public class NodeChanges {

    private final AgroalDataSource db;
    private final OperatorAudit audit;
    private final ClusterStatus cluster;

    NodeChanges(AgroalDataSource db, OperatorAudit audit, ClusterStatus cluster) {
        this.db = db;
        this.audit = audit;
        this.cluster = cluster;
    }

    /** Drains ({@code true}) or activates {@code node}; 404 when there is no such node. */
    @Transactional(rollbackOn = SQLException.class)
    public Map<String, Object> setDraining(String node, boolean draining, Optional<String> reason, Operator who)
            throws SQLException {
        try (Connection c = db.getConnection()) {
            if (!NodeRegistry.setDraining(c, node, draining)) {
                throw ApiException.notFound("no node named " + node);
            }
            Map<String, Object> details = new HashMap<>();
            details.put("node", node);
            audit.record(c, who, draining ? "node.drain" : "node.activate", "node:" + node, reason.orElse(null), details);
        }
        return cluster.node(node).orElseThrow();
    }
}
