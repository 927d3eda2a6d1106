package dev.atpin.admin;

import dev.atpin.api.ApiException;
import dev.atpin.dispatch.backend.KuboDirectBackend;
import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.ipld.Multiaddr;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.kubo.KuboRpcUrl;
import dev.atpin.kubo.RegisteredNode;
import dev.atpin.kubo.RegisteredNodes;
import dev.atpin.operators.Operator;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * Operators' registration of a Kubo node through the admin API, and its removal. A registration is a row of
 * {@code registered_node} (its RPC authorization sealed at rest) and the node's {@code node} row, written with the
 * audit entry in one transaction; every replica picks the node up with its next health poll. Only an empty,
 * drained node can be removed: a node still holding copies would take them with it below their replication.
 */
@ApplicationScoped
public class NodeRegistrations {

    /** Like a Kubernetes name: the node's name appears in metrics labels, URLs and placement rows. */
    private static final Pattern NAME = Pattern.compile("[a-z0-9]([a-z0-9._-]{0,61}[a-z0-9])?");
    private static final int MAX_ANNOUNCE = 16;
    private static final int MAX_AUTHORIZATION = 4096;

    /** The body of {@code POST /admin/v1/nodes}. */
    public record Registration(String name, String rpcUrl, List<String> announce, String authorization,
            String reason) {

        /** Leaves the authorization out: request bodies end up in log lines. */
        @Override
        public String toString() {
            return "Registration[name=" + name + ", rpcUrl=" + rpcUrl + ", announce=" + announce + ", authorization="
                    + (authorization == null ? "(none)" : "(set)") + ", reason=" + reason + "]";
        }
    }

    private final AgroalDataSource db;
    private final OperatorAudit audit;
    private final RegisteredNodes registered;
    private final KuboNodes nodes;
    private final PinBackend backend;

    NodeRegistrations(AgroalDataSource db, OperatorAudit audit, RegisteredNodes registered, KuboNodes nodes,
            PinBackend backend) {
        this.db = db;
        this.audit = audit;
        this.registered = registered;
        this.nodes = nodes;
        this.backend = backend;
    }

    /**
     * Registers a Kubo node; it is polled (peer ID, addresses, space) and takes placements once it answers.
     *
     * @return the node's name
     */
    @Transactional(rollbackOn = SQLException.class)
    public String register(Registration body, Operator who) throws SQLException {
        RegisteredNode node = validate(body);
        if (!backend.name().equals(KuboDirectBackend.NAME)) {
            throw ApiException.conflict("NOT_KUBO_DIRECT", "nodes are registered only with atpin.dispatch.backend=kubo;"
                    + " with " + backend.name() + " add peers to the cluster itself");
        }
        if (nodes.isConfigured(node.name())) {
            throw ApiException.conflict("NODE_EXISTS", "node " + node.name() + " is configured (atpin.kubo.nodes)");
        }
        try (Connection c = db.getConnection()) {
            // A node row without a registration is a node once configured: its name still names its placements.
            try (PreparedStatement q = c.prepareStatement(
                    "insert into node (name, rpc_url) values (?, ?) on conflict (name) do nothing")) {
                q.setString(1, node.name());
                q.setString(2, node.rpcUrl());
                if (q.executeUpdate() == 0 || !registered.insert(c, node, who.name())) {
                    throw ApiException.conflict("NODE_EXISTS", "there is a node named " + node.name() + " already");
                }
            }
            Map<String, Object> details = new LinkedHashMap<>();
            details.put("node", node.name());
            details.put("rpcUrl", node.rpcUrl());
            node.announce().ifPresent(a -> details.put("announce", a));
            details.put("authorization", node.authorization().isPresent()); // that there is one, never what
            audit.record(c, who, "node.register", "node:" + node.name(), body.reason(), details);
        }
        return node.name();
    }

    /** Removes a registered node that is drained and holds nothing (failed placements go with it). */
    @Transactional(rollbackOn = SQLException.class)
    public void deregister(String name, Optional<String> reason, Operator who) throws SQLException {
        if (nodes.isConfigured(name)) {
            throw ApiException.conflict("CONFIGURED_NODE", "node " + name
                    + " comes from the configuration (atpin.kubo.nodes): remove it there, not through the admin API");
        }
        try (Connection c = db.getConnection()) {
            if (!RegisteredNodes.lock(c, name)) {
                throw ApiException.notFound("no registered node named " + name);
            }
            // The node row's lock orders this against a concurrent activate; draining keeps new placements off.
            try (PreparedStatement q = c.prepareStatement("select draining from node where name = ? for update")) {
                q.setString(1, name);
                try (ResultSet rs = q.executeQuery()) {
                    if (rs.next() && !rs.getBoolean(1)) {
                        throw ApiException.conflict("NODE_NOT_DRAINED", "drain node " + name + " first (POST /admin/v1/"
                                + "nodes/" + name + "/drain) and remove it once it holds nothing");
                    }
                }
            }
            Map<String, Long> held = held(c, name);
            if (!held.isEmpty()) {
                throw ApiException.conflict("NODE_NOT_EMPTY", "node " + name + " still holds placements " + held
                        + ": the drain moves them off, retry once none is left");
            }
            for (String sql : List.of("delete from placement where node = ?", "delete from node where name = ?")) {
                try (PreparedStatement q = c.prepareStatement(sql)) {
                    q.setString(1, name);
                    q.executeUpdate();
                }
            }
            RegisteredNodes.delete(c, name);
            audit.record(c, who, "node.deregister", "node:" + name, reason.orElse(null), Map.of("node", name));
        }
    }

    /** Placements that hold or are making a copy, by state; failed ones hold nothing. */
    private static Map<String, Long> held(Connection c, String name) throws SQLException {
        Map<String, Long> held = new TreeMap<>();
        try (PreparedStatement q = c.prepareStatement(
                "select state, count(*) from placement where node = ? and state <> 'failed' group by state")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    held.put(rs.getString(1), rs.getLong(2));
                }
            }
        }
        return held;
    }

    private RegisteredNode validate(Registration body) {
        if (body == null || body.name() == null || body.rpcUrl() == null) {
            throw ApiException.badRequest("BAD_REQUEST_BODY",
                    "send {\"name\": ..., \"rpcUrl\": ...} (optional: announce, authorization, reason)");
        }
        if (!NAME.matcher(body.name()).matches()) {
            throw ApiException.badRequest("INVALID_NODE_NAME",
                    "'name' is 1 to 63 lower-case letters, digits, '.', '_' or '-', starting and ending with a letter or digit");
        }
        String rpcUrl;
        try {
            rpcUrl = KuboRpcUrl.check(body.rpcUrl(), nodes.rpcTimeout());
        } catch (KuboRpcUrl.Refused e) {
            throw ApiException.badRequest("INVALID_RPC_URL", e.getMessage());
        }
        Optional<List<String>> announce = Optional.ofNullable(body.announce()).filter(a -> !a.isEmpty());
        if (announce.isPresent()) {
            if (announce.get().size() > MAX_ANNOUNCE) {
                throw ApiException.badRequest("INVALID_ANNOUNCE", "at most " + MAX_ANNOUNCE + " 'announce' multiaddrs");
            }
            for (String addr : announce.get()) {
                if (addr == null || !Multiaddr.isValid(addr) || addr.contains("/p2p/")) {
                    throw ApiException.badRequest("INVALID_ANNOUNCE",
                            "each 'announce' entry is a multiaddr without /p2p/<peer ID>, e.g. /dns4/kubo-3.example.org/tcp/4001");
                }
            }
        }
        Optional<String> authorization = Optional.ofNullable(body.authorization()).filter(a -> !a.isBlank());
        if (authorization.isPresent()) {
            String a = authorization.get();
            // Never echoed back: the message says what is wrong, not what was sent.
            if (a.length() > MAX_AUTHORIZATION || !(a.startsWith("Bearer ") || a.startsWith("Basic "))
                    || a.chars().anyMatch(ch -> ch < 0x20 || ch == 0x7f)) {
                throw ApiException.badRequest("INVALID_AUTHORIZATION",
                        "'authorization' is the Authorization header Kubo's API.Authorizations expects: 'Bearer <secret>' or 'Basic <base64>'");
            }
        }
        return new RegisteredNode(body.name(), rpcUrl, announce.map(List::copyOf), authorization);
    }
}
