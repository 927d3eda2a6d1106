package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class NetSyntaxTest {

    @ParameterizedTest
    @ValueSource(strings = {"0.0.0.0", "127.0.0.1", "192.0.2.1", "255.255.255.255", "10.0.100.9"})
    void acceptsDottedQuads(String text) throws Exception {
        // Java's own parser is a safe oracle here: a dotted quad is a literal, so there is no DNS lookup.
        assertArrayEquals(InetAddress.getByName(text).getAddress(), NetSyntax.parseIp4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", "1.2.3", "1.2.3.4.5", "256.0.0.1", "01.2.3.4", "1.2.3.04", "1..3.4", "1.2.3.",
        "a.b.c.d", "1.2.3.4 ", "+1.2.3.4", "1.2.3.1000", "0x7f.0.0.1", "\u0661.2.3.4"})
    void rejectsAnythingButAStrictDottedQuad(String text) {
        assertNull(NetSyntax.parseIp4(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"::", "::1", "1::", "2001:db8::1", "2001:DB8:0:0:0:0:0:1", "fe80::1:2:3:4",
        "1:2:3:4:5:6:7:8", "1:2:3:4:5:6:7::", "::2:3:4:5:6:7:8", "1:2:3:4:5:6:1.2.3.4", "::1.2.3.4",
        "64:ff9b::192.0.2.33", "0000:0000:0000:0000:0000:0000:0000:0000"})
    void parsesIp6LikeTheJdkLiteralParser(String text) throws Exception {
        assertArrayEquals(InetAddress.getByName("[" + text + "]").getAddress(), NetSyntax.parseIp6(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ":", ":::", "1:2:3:4:5:6:7", "1:2:3:4:5:6:7:8:9", "1::2::3", "12345::", ":1::",
        "::1:", "1:2:3:4:5:6:7:8::", "::1.2.3", "1.2.3.4::", "1.2.3.4", "g::1", "::ffff:256.1.1.1",
        "1:2:3:4:5:6:7:1.2.3.4", "fe80::1%eth0", "[::1]", "::1 "})
    void rejectsMalformedIp6(String text) {
        assertNull(NetSyntax.parseIp6(text));
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource({
        // RFC 5952 sections 4 and 5.
        "2001:0db8:0000:0000:0000:0000:0000:0001, 2001:db8::1",
        "2001:db8:0:0:0:0:2:1, 2001:db8::2:1",
        "2001:db8:0:1:1:1:1:1, 2001:db8:0:1:1:1:1:1",
        "2001:0:0:1:0:0:0:1, 2001:0:0:1::1",
        "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
        "2001:DB8::AAAA, 2001:db8::aaaa",
        "0:0:0:0:0:0:0:0, ::",
        "0:0:0:0:0:0:0:1, ::1",
        "1:0:0:0:0:0:0:0, 1::",
        "0:0:0:0:0:ffff:c000:0201, ::ffff:192.0.2.1",
        "64:ff9b::192.0.2.33, 64:ff9b::c000:221",
    })
    void formatsIp6CanonicallyPerRfc5952(String text, String canonical) {
        assertEquals(canonical, NetSyntax.formatIp6(NetSyntax.parseIp6(text)));
    }

    @Test
    void roundTripsRandomIp6AddressesThroughTheCanonicalForm() {
        Random random = Fuzz.random();
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] address = new byte[16];
            random.nextBytes(address);
            for (int w = 0; w < 8; w++) {
                // Zero most words so that runs of every length and position occur.
                if (random.nextInt(3) > 0) {
                    address[2 * w] = 0;
                    address[2 * w + 1] = 0;
                }
            }
            String text = NetSyntax.formatIp6(address);
            byte[] parsed = NetSyntax.parseIp6(text);
            assertNotNull(parsed, text);
            assertArrayEquals(address, parsed, text);
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {"example.com", "example.com.", "localhost", "bootstrap.libp2p.io", "a-b.c_d.e9",
        "xn--bcher-kva.example", "1.2.3.4"})
    void acceptsHostNames(String text) {
        assertTrue(NetSyntax.isHostname(text));
    }

    @ParameterizedTest
    @ValueSource(strings = {"", ".", "a..b", ".example.com", "-a.com", "a-.com", "exa mple.com", "exa%mple.com",
        "b\u00fccher.example", "a:b"})
    void rejectsMalformedHostNames(String text) {
        assertFalse(NetSyntax.isHostname(text));
    }

    @Test
    void limitsHostNameAndLabelLengths() {
        assertTrue(NetSyntax.isHostname("a".repeat(63) + ".com"));
        assertFalse(NetSyntax.isHostname("a".repeat(64) + ".com"));
        String longName = ("a".repeat(49) + ".").repeat(5) + "abc"; // 253 characters
        assertEquals(253, longName.length());
        assertTrue(NetSyntax.isHostname(longName));
        assertFalse(NetSyntax.isHostname("a" + longName));
    }
}
