package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atpin.ipld.Multiaddr.Component;
import dev.atpin.ipld.Multibase.Base;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultiaddrTest {

    /** Kubo's default bootstrap peers (sha256 peer IDs). */
    private static final String MARS = "QmaCpDMGvV2BGHeYERUEnRQAwe3N8SzbUtfsmvsqQLuvuJ";
    private static final String BOOTSTRAP = "QmNnooDu7bfjPFoTZYxMNLWUQJyrVwtbZg5gBMjTezGAJN";
    /** The libp2p peer-id spec examples: an ed25519 (identity) peer ID, and one sha256 peer ID in two forms. */
    private static final String ED25519 = "12D3KooWD3eckifWpRn9wQpMG9R9hX3sD158z7EqHWmweQAJU5SA";
    private static final String SHA256_PEER = "QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N";
    private static final String SHA256_PEER_AS_CID = "bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe";
    /** A certhash as go-libp2p prints it: base64url multibase of a sha2-256 multihash. */
    private static final String CERTHASH = "uEiCaDd1Ca1A8IVJ3hsIxIyi11cwxaDKqzVrBkGJbKZU5ng";

    @Test
    void parsesABootstrapAddressIntoComponentsHostPortAndPeerId() throws Exception {
        Multiaddr addr = Multiaddr.parse("/ip4/104.131.131.82/tcp/4001/p2p/" + MARS);
        assertEquals(List.of(new Component("ip4", "104.131.131.82"), new Component("tcp", "4001"),
                new Component("p2p", MARS)), addr.components());
        assertEquals(Optional.of("104.131.131.82"), addr.host());
        assertEquals(OptionalInt.of(4001), addr.port());
        assertEquals(Optional.of(MARS), addr.peerId());
        assertTrue(addr.endsWithPeerId());
        assertEquals(Optional.of(InetAddress.getByAddress(new byte[] {104, (byte) 131, (byte) 131, 82})),
                addr.ipAddress());
        assertEquals("/ip4/104.131.131.82/tcp/4001/p2p/" + MARS, addr.toString());
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "/ip4/104.131.131.82/udp/4001/quic-v1/p2p/" + MARS,
        "/ip4/104.131.131.82/udp/4001/quic/p2p/" + MARS,
        "/dnsaddr/bootstrap.libp2p.io/p2p/" + BOOTSTRAP,
        "/ip4/127.0.0.1/udp/44874/quic-v1/webtransport/certhash/" + CERTHASH
                + "/certhash/uEiDv-VGW8oXxui_G_Kqp-87YjvET-Hr2qYAMYPePJDcsjQ"
                + "/p2p/12D3KooWR7EfNv5SLtgjMRjUwR8AvNu3hP4fLrtSa9fmHHXKYWNG",
        "/ip4/192.0.2.1/udp/4001/webrtc-direct/certhash/" + CERTHASH + "/p2p/" + ED25519,
        "/ip4/192.0.2.1/tcp/4001/p2p/" + MARS + "/p2p-circuit/webrtc/p2p/" + ED25519,
        "/dns4/example.com/tcp/443/wss/p2p/" + ED25519,
        "/dns6/example.com/tcp/443/ws",
        "/dns/example.com/tcp/443/tls/sni/example.com/ws",
        "/ip4/192.0.2.1/tcp/80/http",
        "/ip4/192.0.2.1/tcp/443/https",
        "/ip4/192.0.2.1/tcp/443/tls/http/http-path/foo%2Fbar",
        "/ip4/192.0.2.1/tcp/4001/noise/yamux",
        "/ip4/192.0.2.1/tcp/4001/mplex",
        "/ip6/2001:db8::1/tcp/4001",
        "/ip6zone/eth0/ip6/fe80::1/udp/4001/quic-v1",
        "/ip4/0.0.0.0/tcp/0",
        "/ip4/192.0.2.1/sctp/9/dccp/65535/utp/udt",
        "/p2p/" + ED25519,
        "/p2p-circuit",
    })
    void acceptsRealWorldAddressesAndKeepsTheirCanonicalText(String text) {
        Multiaddr addr = Multiaddr.parse(text);
        assertEquals(text, addr.toString());
        assertEquals(addr, Multiaddr.parse(addr.toString()));
        assertTrue(Multiaddr.isValid(text));
    }

    @Test
    void normalizesTheIpfsAliasAndEveryPeerIdFormToBase58() {
        assertEquals("/p2p/" + SHA256_PEER, Multiaddr.parse("/ipfs/" + SHA256_PEER).toString());
        assertEquals("/p2p/" + SHA256_PEER, Multiaddr.parse("/p2p/" + SHA256_PEER_AS_CID).toString());
        Multihash ed25519 = Multihash.decode(Base58.decode(ED25519));
        assertEquals(Multihash.IDENTITY, ed25519.code());
        String base36 = Cid.v1(Cid.LIBP2P_KEY, ed25519).toString(Base.BASE36);
        assertTrue(base36.startsWith("k51"), base36);
        assertEquals(Optional.of(ED25519), Multiaddr.parse("/ip4/192.0.2.1/tcp/1/p2p/" + base36).peerId());
    }

    @Test
    void normalizesIp6PortsAndATrailingSlash() {
        assertEquals("/ip6/2001:db8::1/tcp/80",
                Multiaddr.parse("/ip6/2001:0DB8:0000:0000:0000:0000:0000:0001/tcp/0080/").toString());
        assertEquals("/ip6/::1/udp/1", Multiaddr.parse("/ip6/0:0:0:0:0:0:0:1/udp/01").toString());
        assertEquals(Multiaddr.parse("/ip6/::1/tcp/1"), Multiaddr.parse("/ip6/0::1/tcp/1/"));
    }

    @Test
    void takesTheRestOfTheTextAsTheUnixSocketPath() {
        Multiaddr addr = Multiaddr.parse("/unix/var/run/ipfs/api.sock");
        assertEquals(List.of(new Component("unix", "/var/run/ipfs/api.sock")), addr.components());
        assertEquals("/unix/var/run/ipfs/api.sock", addr.toString());
        assertEquals(Optional.empty(), addr.host());
    }

    @Test
    void buildsIpAddressesFromLiteralsOnlyAndNeverResolvesNames() throws Exception {
        InetAddress v4 = Multiaddr.parse("/ip4/192.0.2.1/tcp/1").ipAddress().orElseThrow();
        assertInstanceOf(Inet4Address.class, v4);
        assertEquals("192.0.2.1", v4.getHostAddress());
        InetAddress v6 = Multiaddr.parse("/ip6/2001:db8::1/tcp/1").ipAddress().orElseThrow();
        assertInstanceOf(Inet6Address.class, v6);
        assertEquals(InetAddress.getByName("[2001:db8::1]"), v6);
        Multiaddr dns = Multiaddr.parse("/dns4/name.invalid/tcp/443");
        assertEquals(Optional.empty(), dns.ipAddress());
        assertEquals(Optional.of("name.invalid"), dns.host());
        assertEquals(OptionalInt.of(443), dns.port());
        assertEquals(OptionalInt.empty(), Multiaddr.parse("/p2p/" + MARS).port());
    }

    @Test
    void reportsThePeerBehindARelayButNotTheRelayItself() {
        Multiaddr relayed = Multiaddr.parse("/ip4/192.0.2.1/tcp/4001/p2p/" + MARS + "/p2p-circuit/p2p/" + ED25519);
        assertEquals(Optional.of(ED25519), relayed.peerId());
        assertTrue(relayed.endsWithPeerId());
        Multiaddr viaRelay = Multiaddr.parse("/ip4/192.0.2.1/tcp/4001/p2p/" + MARS + "/p2p-circuit");
        assertEquals(Optional.empty(), viaRelay.peerId());
        assertFalse(viaRelay.endsWithPeerId());
        assertEquals(Optional.empty(), Multiaddr.parse("/ip4/192.0.2.1/tcp/4001").peerId());
    }

    @Test
    void appendsAPeerIdOnlyWhenMissing() {
        Multiaddr bare = Multiaddr.parse("/ip4/192.0.2.1/tcp/4001");
        Multiaddr withPeer = bare.withPeerId(MARS);
        assertEquals("/ip4/192.0.2.1/tcp/4001/p2p/" + MARS, withPeer.toString());
        assertSame(withPeer, withPeer.withPeerId(MARS));
        assertEquals("/p2p/" + SHA256_PEER, Multiaddr.parse("/p2p/" + SHA256_PEER).withPeerId(SHA256_PEER_AS_CID)
                .toString());
        Multiaddr viaRelay = Multiaddr.parse("/p2p/" + MARS + "/p2p-circuit");
        assertEquals(Optional.of(ED25519), viaRelay.withPeerId(ED25519).peerId());

        IpldException different = assertThrows(IpldException.class, () -> withPeer.withPeerId(ED25519));
        assertEquals("multiaddr already ends with a different peer ID", different.getMessage());
        IpldException invalid = assertThrows(IpldException.class, () -> bare.withPeerId("QmNope"));
        assertTrue(invalid.getMessage().startsWith("cannot append peer ID: invalid peer ID 'QmNope'"),
                invalid.getMessage());
        assertThrows(IpldException.class, () -> bare.withPeerId(null));
        String nearlyFull = "/dns/" + ("a".repeat(60) + ".").repeat(4) + "com" + "/tcp/1".repeat(124);
        assertTrue(Multiaddr.isValid(nearlyFull));
        assertThrows(IpldException.class, () -> Multiaddr.parse(nearlyFull).withPeerId(MARS));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "|empty",
        "ip4/192.0.2.1|must start with '/'",
        "/|no protocols",
        "//|no protocols",
        "/ip4/192.0.2.1//tcp/1|empty protocol name after component 1",
        "/foo/1|unknown protocol 'foo'",
        "/TCP/1|unknown protocol 'TCP'",
        "/tcp|protocol 'tcp' needs a value",
        "/ip4/192.0.2.1/tcp/|protocol 'tcp' needs a value",
        "/tcp/65536|tcp port 65536 is out of range 0-65535",
        "/udp/-1|invalid udp port '-1'",
        "/tcp/abc|invalid tcp port 'abc'",
        "/tcp/123456|invalid tcp port '123456'",
        "/ip4/256.1.1.1|invalid ip4 address '256.1.1.1'",
        "/ip4/01.2.3.4|invalid ip4 address '01.2.3.4'",
        "/ip4/1.2.3|invalid ip4 address '1.2.3'",
        "/ip4/example.com|invalid ip4 address 'example.com'",
        "/ip6/1:2:3:4:5:6:7:8:9|invalid ip6 address '1:2:3:4:5:6:7:8:9'",
        "/ip6/1::2::3|invalid ip6 address '1::2::3'",
        "/ip6/192.0.2.1|invalid ip6 address '192.0.2.1'",
        "/dns4/-bad.example|invalid dns4 host name '-bad.example'",
        "/dns/a..b|invalid dns host name 'a..b'",
        "/sni/exa%mple.com|invalid sni host name 'exa%mple.com'",
        "/p2p/QmNotAPeerId|invalid peer ID 'QmNotAPeerId': invalid base58btc character 'I' at index 10",
        "/p2p/bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku|invalid peer ID "
                + "'bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku': a peer ID CID must have the "
                + "libp2p-key codec 0x72, not 0x70",
        "/certhash/nope|invalid certhash 'nope': unsupported multibase prefix 'n'",
        "/certhash/uEiCa|invalid certhash 'uEiCa': multihash digest length mismatch: declares 32 bytes but only 1 "
                + "follow",
        "/unix|protocol 'unix' needs a path",
        "/unix/|protocol 'unix' needs a path",
        "/dns/exa mple.com|character U+0020 at index 8 is not printable ASCII",
        "/dns/b\u00fccher.example|character U+00FC at index 6 is not printable ASCII",
        "/http-path/foo%2|invalid percent escape in http-path 'foo%2'",
    })
    void rejectsMalformedAddressesWithAClearMessage(String text, String reason) {
        IpldException e = assertThrows(IpldException.class, () -> Multiaddr.parse(text));
        assertEquals("invalid multiaddr: " + reason, e.getMessage());
        assertFalse(Multiaddr.isValid(text));
    }

    @Test
    void rejectsPeerIdsThatAreNotIdentityOrSha256OrTooLong() {
        String sha512 = Cid.v1(Cid.LIBP2P_KEY, new Multihash(0x13, new byte[64])).toString();
        IpldException e = assertThrows(IpldException.class, () -> Multiaddr.parse("/p2p/" + sha512));
        assertTrue(e.getMessage().endsWith("must be an identity or sha2-256 multihash"), e.getMessage());
        String longIdentity = Base58.encode(new Multihash(Multihash.IDENTITY, new byte[43]).bytes());
        e = assertThrows(IpldException.class, () -> Multiaddr.parse("/p2p/" + longIdentity));
        assertTrue(e.getMessage().endsWith("an identity peer ID must hold 1 to 42 bytes"), e.getMessage());
        String emptyIdentity = Base58.encode(new Multihash(Multihash.IDENTITY, new byte[0]).bytes());
        assertFalse(Multiaddr.isValid("/p2p/" + emptyIdentity));
    }

    @Test
    void boundsTheTextLength() {
        String atLimit = "/dns/" + ("a".repeat(60) + ".").repeat(4) + "com" + "/tcp/1".repeat(127) + "/tcp/12345";
        assertEquals(Multiaddr.MAX_LENGTH, atLimit.length());
        assertTrue(Multiaddr.isValid(atLimit));
        IpldException e = assertThrows(IpldException.class, () -> Multiaddr.parse(atLimit + "6"));
        assertEquals("invalid multiaddr: too long (1025 characters, at most 1024)", e.getMessage());
    }

    @Test
    void exposesImmutableComponentsAndComparesByNormalizedText() {
        Multiaddr addr = Multiaddr.parse("/ipfs/" + MARS);
        assertThrows(UnsupportedOperationException.class, () -> addr.components().add(new Component("ws", null)));
        assertNull(Multiaddr.parse("/ws").components().getFirst().value());
        assertEquals(addr, Multiaddr.parse("/p2p/" + MARS));
        assertEquals(addr.hashCode(), Multiaddr.parse("/p2p/" + MARS).hashCode());
        assertNotEquals(addr, Multiaddr.parse("/p2p/" + BOOTSTRAP));
    }

    @Test
    void randomInputNeverEscapesAsAnythingButIpldException() {
        Random random = Fuzz.random();
        String[] tokens = {"ip4", "ip6", "ip6zone", "tcp", "udp", "dns", "dns4", "dnsaddr", "sni", "p2p", "ipfs",
            "certhash", "unix", "http-path", "quic-v1", "webtransport", "ws", "tls", "p2p-circuit", "webrtc",
            "192.0.2.1", "1.2.3", "::1", "::ffff:1.2.3.4", "fe80::1:2", "4001", "65536", "-1", "example.com",
            "a..b", MARS, ED25519, SHA256_PEER_AS_CID, "Qm", "1", CERTHASH, "u", "%41", "%", "", "x", "\u00e9", " "};
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            String input;
            if (i % 5 == 0) {
                input = Fuzz.randomString(random, Fuzz.NASTY, 60);
            } else {
                StringBuilder text = new StringBuilder();
                for (int n = random.nextInt(8); n >= 0; n--) {
                    text.append('/').append(tokens[random.nextInt(tokens.length)]);
                }
                if (random.nextInt(10) == 0) {
                    text.append('/');
                }
                input = text.toString();
            }
            Multiaddr addr = Fuzz.onlyIpldException(input, () -> Multiaddr.parse(input));
            if (addr != null) {
                // Normalization must be idempotent and every accessor safe.
                assertEquals(addr, Multiaddr.parse(addr.toString()), input);
                addr.host();
                addr.port();
                addr.peerId();
                addr.ipAddress();
                Fuzz.onlyIpldException(input, () -> addr.withPeerId(ED25519));
            }
        }
    }
}
