package dev.atpin.kubo;

import dev.atpin.auth.SecretsAtRest;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Array;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;

/**
 * The {@code registered_node} table: Kubo nodes operators added through the admin API. Writes take the caller's
 * connection, so that the admin change and its audit entry commit together; every replica reads the table with
 * its health poll ({@link KuboNodes#sync}). The RPC authorization is sealed at rest (ADR 0140).
 */
@ApplicationScoped
public class RegisteredNodes {

    private final AgroalDataSource db;
    private final SecretsAtRest secrets;

    RegisteredNodes(AgroalDataSource db, SecretsAtRest secrets) {
        this.db = db;
        this.secrets = secrets;
    }

    /** Every registration, in name order. */
    public List<RegisteredNode> all() throws SQLException {
        List<RegisteredNode> out = new ArrayList<>();
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement(
                        "select name, rpc_url, announce, authorization_sealed from registered_node order by name");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String name = rs.getString(1);
                Array announce = rs.getArray(3);
                out.add(new RegisteredNode(name, rs.getString(2),
                        announce == null ? Optional.empty() : Optional.of(Arrays.asList((String[]) announce.getArray())),
                        Optional.ofNullable(secrets.open(rs.getString(4), context(name)))));
            }
        }
        return out;
    }

    /** @return false when a registration of that name exists already */
    public boolean insert(Connection c, RegisteredNode node, String registeredBy) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                insert into registered_node (name, rpc_url, announce, authorization_sealed, registered_by)
                values (?, ?, ?, ?, ?) on conflict (name) do nothing""")) {
            q.setString(1, node.name());
            q.setString(2, node.rpcUrl());
            q.setArray(3, node.announce().isPresent()
                    ? c.createArrayOf("text", node.announce().get().toArray()) : null);
            q.setString(4, node.authorization().map(a -> secrets.seal(a, context(node.name()))).orElse(null));
            q.setString(5, registeredBy);
            return q.executeUpdate() > 0;
        }
    }

    /** Locks the registration of {@code name} for the caller's transaction; false when there is none. */
    public static boolean lock(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("select 1 from registered_node where name = ? for update")) {
            q.setString(1, name);
            try (ResultSet rs = q.executeQuery()) {
                return rs.next();
            }
        }
    }

    public static void delete(Connection c, String name) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("delete from registered_node where name = ?")) {
            q.setString(1, name);
            q.executeUpdate();
        }
    }

    /** The associated data of the sealed authorization: a ciphertext copied to another row does not open. */
    private static String context(String name) {
        return "registered_node.authorization:" + name;
    }
}
