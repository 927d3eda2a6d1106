package dev.atpin.dispatch.backend;

import dev.atpin.kubo.NodeIdentity;
import dev.atpin.kubo.RepoStat;
import java.util.List;
import java.util.Map;

/**
 * What one health poll of a target found.
 *
 * @param identity the peer we talked to (its IPFS peer ID, addresses and agent)
 * @param space bytes used and the most the target may hold; placement ranks targets by its free bytes
 * @param delegates multiaddrs with {@code /p2p/<peerID>} that clients should dial for content on the target
 * @param peers for a target that {@link PinBackend#replicatesItself replicates itself}, its answering peers (as
 *     {@link PinBackend#holders} names them) with the multiaddrs to dial for content one of them holds; empty for
 *     the others
 */
public record TargetProbe(NodeIdentity identity, RepoStat space, List<String> delegates,
        Map<String, List<String>> peers) {

    /** A target that is one copy: no peers of its own. */
    public TargetProbe(NodeIdentity identity, RepoStat space, List<String> delegates) {
        this(identity, space, delegates, Map.of());
    }
}
