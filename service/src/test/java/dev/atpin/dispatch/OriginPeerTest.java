package dev.atpin.dispatch;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The peer an origin address names: the dispatcher dials each origin peer once, whatever it announces. */
class OriginPeerTest {

    @Test
    void thePeerIsTheLastP2pComponentAndAnAddressWithoutOneNamesNone() {
        String peer = "12D3KooWGzxzKZYveHXtpG6AsrUJBcWxHBFS2HsEoGTxrMLvKXtf";
        assertThat(Dispatcher.peerOf("/ip4/192.0.2.1/tcp/4001/p2p/" + peer)).isEqualTo(peer);
        assertThat(Dispatcher.peerOf("/ip4/192.0.2.1/udp/4001/quic-v1/p2p/" + peer)).isEqualTo(peer);
        // through a relay: the target, not the relay
        assertThat(Dispatcher.peerOf("/ip4/192.0.2.9/tcp/4001/p2p/QmRelay/p2p-circuit/p2p/" + peer)).isEqualTo(peer);
        assertThat(Dispatcher.peerOf("/ip4/192.0.2.1/tcp/4001")).isNull();
    }
}
