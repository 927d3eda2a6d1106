package dev.atpin.dispatch.backend;

import dev.atpin.kubo.NodeIdentity;
import dev.atpin.kubo.RepoStat;
import java.util.List;

/**
 * What one health poll of a target found.
 *
 * @param identity the peer we talked to (its IPFS peer ID, addresses and agent)
 * @param space bytes used and the most the target may hold; placement ranks targets by its free bytes
 * @param delegates multiaddrs with {@code /p2p/<peerID>} that clients should dial for content on the target
 */
public record TargetProbe(NodeIdentity identity, RepoStat space, List<String> delegates) {}
