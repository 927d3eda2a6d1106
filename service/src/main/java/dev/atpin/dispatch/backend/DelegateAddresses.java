package dev.atpin.dispatch.backend;

import dev.atpin.ipld.Multiaddr;
import java.util.ArrayList;
import java.util.List;

/**
 * Chooses the multiaddrs handed to clients as a pin's {@code delegates}: an operator's announced addresses as they
 * are; otherwise a daemon's own, public ones first, loopback and private ones only when it has nothing else
 * (local runs). Each ends with {@code /p2p/<peerID>}.
 */
final class DelegateAddresses {

    private DelegateAddresses() {}

    static List<String> choose(List<String> candidates, String peerId, boolean announced, int max) {
        List<String> publicAddrs = new ArrayList<>();
        List<String> privateAddrs = new ArrayList<>();
        for (String text : candidates) {
            Multiaddr addr;
            try {
                addr = Multiaddr.parse(text).withPeerId(peerId);
            } catch (IllegalArgumentException e) {
                continue;
            }
            boolean local = addr.ipAddress().map(ip -> ip.isLoopbackAddress() || ip.isSiteLocalAddress()
                    || ip.isLinkLocalAddress() || ip.isAnyLocalAddress()).orElse(false);
            (local && !announced ? privateAddrs : publicAddrs).add(addr.toString());
        }
        List<String> chosen = publicAddrs.isEmpty() ? privateAddrs : publicAddrs;
        return List.copyOf(chosen.subList(0, Math.min(chosen.size(), max)));
    }
}
