package dev.atpin.kubo;

import java.util.List;
import java.util.Optional;

/**
 * A Kubo node an operator registered through the admin API (table {@code registered_node}), driven like a
 * configured one ({@link KuboConfig.Node}).
 *
 * @param announce multiaddrs handed to clients as delegates; empty: the node's own addresses
 * @param authorization the {@code Authorization} header for Kubo's {@code API.Authorizations}, in plain text
 *     (sealed in the database); never printed
 */
public record RegisteredNode(String name, String rpcUrl, Optional<List<String>> announce,
        Optional<String> authorization) {

    /** Leaves the authorization out: records end up in log lines and error messages. */
    @Override
    public String toString() {
        return "RegisteredNode[name=" + name + ", rpcUrl=" + rpcUrl + ", announce=" + announce
                + ", authorization=" + (authorization.isPresent() ? "(set)" : "(none)") + "]";
    }
}
