package dev.atpin.kubo;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** The Kubo nodes the service places pins on ({@code atpin.kubo.*}). */
@ConfigMapping(prefix = "atpin.kubo")
public interface KuboConfig {

    /** The cluster, by node name (e.g. {@code atpin.kubo.nodes.node-0.rpc-url}). */
    Map<String, Node> nodes();

    /** Timeout of one short RPC call (id, swarm/connect, pin/ls, pin/rm). */
    @WithDefault("10s")
    Duration rpcTimeout();

    interface Node {
        /** Base URL of the node's Kubo RPC API, e.g. {@code http://127.0.0.1:5001}. */
        String rpcUrl();

        /**
         * Multiaddrs clients should dial to reach this node (the pin's {@code delegates}), without
         * {@code /p2p/<peerID>}. Empty: the addresses the node itself announces.
         */
        Optional<List<String>> announce();

        /**
         * {@code Authorization} header for a node whose RPC API is protected by Kubo's
         * {@code API.Authorizations} (e.g. {@code Bearer <secret>} or {@code Basic <base64>}). Pass it
         * through the environment, never in a committed file. Empty: the RPC port is open.
         */
        Optional<String> authorization();
    }
}
