package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atpin.ipld.Multibase.Base;
import java.io.ByteArrayOutputStream;
import java.util.HexFormat;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CidTest {

    private static final HexFormat HEX = HexFormat.of();

    /** The dag-pb CID of an empty block, in CIDv0 and CIDv1 (the example pair of the CID spec discussions). */
    private static final String EMPTY_V0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
    private static final String EMPTY_V1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    /** The raw CID of empty data. */
    private static final String EMPTY_RAW = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
    private static final String EMPTY_SHA256 = "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855";

    @Test
    void parsesCidV0AndNormalizesToV1Base32() {
        Cid cid = Cid.parse(EMPTY_V0);
        assertEquals(0, cid.version());
        assertEquals(Cid.DAG_PB, cid.codec());
        assertEquals(EMPTY_SHA256, HEX.formatHex(cid.multihash().digest()));
        assertEquals(EMPTY_V0, cid.toString());
        assertEquals(EMPTY_V1, cid.normalized());
    }

    @Test
    void parsesCidV1Base32AndSharesTheMultihashOfItsV0Form() {
        Cid v1 = Cid.parse(EMPTY_V1);
        Cid v0 = Cid.parse(EMPTY_V0);
        assertEquals(1, v1.version());
        assertEquals(Cid.DAG_PB, v1.codec());
        assertEquals(v0.multihash(), v1.multihash());
        assertEquals(v1, v0.toV1());
        assertSame(v1, v1.toV1());
        assertNotEquals(v0, v1);
        assertEquals(v0.normalized(), v1.normalized());
        assertEquals(EMPTY_V1, v1.toString());
    }

    @Test
    void buildsTheWellKnownCidsOfEmptyContentFromTheirHashes() {
        Multihash empty = Multihash.sha256(new byte[0]);
        assertEquals(EMPTY_V0, Cid.v0(empty).toString());
        assertEquals(EMPTY_RAW, Cid.v1(Cid.RAW, empty).toString());
        // The empty UnixFS directory: dag-pb node with Data = {Type: Directory}.
        Multihash emptyDir = Multihash.sha256(HEX.parseHex("0a020801"));
        assertEquals("QmUNLLsPACCz1vLxQVkXqqLX5R1X345qqfHbsf67hvA3Nn", Cid.v0(emptyDir).toString());
        assertEquals("bafybeiczsscdsbs7ffqz55asqdf3smv6klcw3gofszvwlyarci47bgf354", Cid.v0(emptyDir).normalized());
    }

    @Test
    void parsesTheBase58CidV1ExampleOfTheCidSpec() {
        // "base58btc - cidv1 - raw - sha2-256-256-6e6ff795…" in the CID spec README.
        Cid cid = Cid.parse("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA");
        assertEquals(1, cid.version());
        assertEquals(Cid.RAW, cid.codec());
        assertEquals(Multihash.SHA2_256, cid.multihash().code());
        assertEquals("6e6ff7950a36187a801613426e858dce686cd7d7e3c0fc42ee0330072d245c95",
                HEX.formatHex(cid.multihash().digest()));
        assertEquals("zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA", cid.toString(Base.BASE58BTC));
        assertEquals(cid, Cid.parse(cid.toString()));
        assertTrue(cid.toString().startsWith("bafkrei"));
    }

    @Test
    void parsesAPeerIdWrittenAsALibp2pKeyCid() {
        // The libp2p peer-id spec: the same sha256 peer ID as a CID and as a bare base58btc multihash.
        Cid cid = Cid.parse("bafzbeie5745rpv2m6tjyuugywy4d5ewrqgqqhfnf445he3omzpjbx5xqxe");
        assertEquals(Cid.LIBP2P_KEY, cid.codec());
        assertEquals(Multihash.decode(Base58.decode("QmYyQSo1c1Ym7orWxLYvCrM2EmxFTANf8wXmmE7DWjhx5N")),
                cid.multihash());
    }

    @ParameterizedTest
    @EnumSource(Base.class)
    void parsesCidV1InEverySupportedMultibase(Base base) {
        Cid cid = Cid.parse(EMPTY_V1);
        String text = cid.toString(base);
        assertEquals(base.prefix(), text.charAt(0));
        assertEquals(cid, Cid.parse(text));
        assertEquals(EMPTY_V1, Cid.parse(text).normalized());
    }

    @Test
    void parsesUppercaseMultibaseForms() {
        assertEquals(Cid.parse(EMPTY_V1), Cid.parse(EMPTY_V1.toUpperCase()));
        String base36 = Cid.parse(EMPTY_V1).toString(Base.BASE36);
        assertEquals(Cid.parse(EMPTY_V1), Cid.parse(base36.toUpperCase()));
    }

    @Test
    void writesCidV0BinaryAsTheBareMultihashAndCidV1WithVersionAndCodec() {
        Cid v0 = Cid.parse(EMPTY_V0);
        assertEquals("1220" + EMPTY_SHA256, HEX.formatHex(v0.bytes()));
        assertEquals("01701220" + EMPTY_SHA256, HEX.formatHex(v0.toV1().bytes()));
        assertEquals("01551220" + EMPTY_SHA256, HEX.formatHex(Cid.parse(EMPTY_RAW).bytes()));
        assertEquals(v0, Cid.decode(v0.bytes()));
        assertEquals(v0.toV1(), Cid.decode(v0.toV1().bytes()));
    }

    @Test
    void readsConsecutiveBinaryCidsAndReportsTheirLengths() {
        Cid v0 = Cid.parse(EMPTY_V0);
        Cid identity = Cid.v1(Cid.DAG_CBOR, new Multihash(Multihash.IDENTITY, "hi".getBytes(UTF_8)));
        ByteArrayOutputStream stream = new ByteArrayOutputStream();
        stream.writeBytes(v0.bytes());
        stream.writeBytes(identity.bytes());
        stream.write(0x42);
        byte[] bytes = stream.toByteArray();

        Cid.Read first = Cid.readFrom(bytes, 0);
        assertEquals(new Cid.Read(v0, 34), first);
        Cid.Read second = Cid.readFrom(bytes, first.length());
        assertEquals(new Cid.Read(identity, 6), second);
        IpldException e = assertThrows(IpldException.class, () -> Cid.decode(bytes));
        assertEquals("invalid CID: 7 trailing bytes after the CID", e.getMessage());
    }

    @Test
    void supportsLongCodecs() {
        long codec = 0x300001; // three-byte varint
        Cid cid = Cid.v1(codec, Multihash.sha256(new byte[] {1}));
        assertEquals(cid, Cid.parse(cid.toString()));
        assertEquals(codec, Cid.parse(cid.toString()).codec());
    }

    @Test
    void rejectsMalformedTextWithAClearMessage() {
        String sha256 = Base58.encode(Multihash.sha256(new byte[0]).bytes());
        String longText = "b" + "a".repeat(Cid.MAX_TEXT_LENGTH);
        assertMessage(null, "invalid CID: empty");
        assertMessage("", "invalid CID: empty");
        assertMessage("b", "invalid CID: empty");
        assertMessage(longText, "invalid CID: too long (513 characters, at most 512)");
        assertMessage(EMPTY_V0.substring(0, 45), "invalid CID: CIDv0 must be 46 characters, got 45");
        assertMessage(EMPTY_V0.substring(0, 45) + "0",
                "invalid CID: CIDv0 is not valid base58btc: invalid base58btc character '0' at index 45");
        assertMessage("Qm" + "z".repeat(44), "invalid CID: CIDv0 must be a 34-byte sha2-256 multihash");
        assertMessage("!" + EMPTY_V1.substring(1),
                "invalid CID: not a valid multibase string: unsupported multibase prefix '!'");
        assertMessage(" " + EMPTY_V1,
                "invalid CID: not a valid multibase string: unsupported multibase prefix U+0020");
        assertMessage(EMPTY_V1 + "!",
                "invalid CID: not a valid multibase string: invalid base32 character '!' at index 59");
        assertMessage("z" + sha256, "invalid CID: CIDv0 must not be multibase-encoded");
        assertTrue(sha256.startsWith("Qm"));
    }

    @Test
    void rejectsMalformedBinaryContentWithAClearMessage() {
        String digest = EMPTY_SHA256;
        assertBinaryMessage("02701220" + digest, "invalid CID: unsupported CID version 2");
        assertBinaryMessage("03701220" + digest, "invalid CID: unsupported CID version 3");
        assertBinaryMessage("00701220" + digest,
                "invalid CID: CID version 0 is only valid as a bare sha2-256 multihash");
        assertBinaryMessage("01551220" + digest.substring(2),
                "invalid CID: multihash digest length mismatch: declares 32 bytes but only 31 follow");
        assertBinaryMessage("0155121f" + digest.substring(2),
                "invalid CID: sha2-256 multihash digest must be 32 bytes, got 31");
        assertBinaryMessage("01551220" + digest + "00", "invalid CID: 1 trailing byte after the CID");
        assertBinaryMessage("01f0001220" + digest, "invalid CID: varint at offset 1 is not minimally encoded");
        assertBinaryMessage("01", "invalid CID: varint expected at offset 1 but the input ends there");
        assertBinaryMessage("", "invalid CID: empty");
        assertBinaryMessage("1220" + digest.substring(2), "invalid CID: multihash digest length mismatch: "
                + "declares 32 bytes but only 31 follow");
        // Text must fail the same way once decoded from its multibase.
        IpldException e = assertThrows(IpldException.class,
                () -> Cid.parse(Multibase.encode(Base.BASE32, HEX.parseHex("02701220" + digest))));
        assertEquals("invalid CID: unsupported CID version 2", e.getMessage());
    }

    @Test
    void refusesCidV0ForOtherHashesAndV0TextInOtherBases() {
        assertThrows(IpldException.class, () -> Cid.v0(new Multihash(Multihash.IDENTITY, new byte[2])));
        assertThrows(IpldException.class, () -> Cid.parse(EMPTY_V0).toString(Base.BASE32));
        assertEquals(EMPTY_V0, Cid.parse(EMPTY_V0).toString(Base.BASE58BTC));
        assertThrows(IpldException.class, () -> Cid.v1(-1, Multihash.sha256(new byte[0])));
    }

    @Test
    void tellsValidFromInvalidText() {
        assertTrue(Cid.isValid(EMPTY_V0));
        assertTrue(Cid.isValid(EMPTY_V1));
        assertFalse(Cid.isValid(null));
        assertFalse(Cid.isValid("hello"));
        assertFalse(Cid.isValid(EMPTY_V1.substring(0, 58)));
    }

    @Test
    void comparesByVersionCodecAndMultihash() {
        Cid raw = Cid.parse(EMPTY_RAW);
        Cid dagPb = Cid.parse(EMPTY_V1);
        assertNotEquals(raw, dagPb);
        assertEquals(raw.multihash(), dagPb.multihash());
        assertEquals(Cid.parse(EMPTY_V1), Cid.parse(EMPTY_V1.toUpperCase()));
        assertEquals(Cid.parse(EMPTY_V1).hashCode(), Cid.parse(EMPTY_V1.toUpperCase()).hashCode());
        assertEquals(3, Set.of(raw, dagPb, Cid.parse(EMPTY_V0)).size());
    }

    @Test
    void randomTextNeverEscapesAsAnythingButIpldException() {
        Random random = Fuzz.random();
        String[] seeds = {EMPTY_V0, EMPTY_V1, EMPTY_RAW, "zb2rhe5P4gXftAwvA4eXQ5HJwsER2owDyS9sKaQRRVQPn93bA",
            Cid.parse(EMPTY_V1).toString(Base.BASE36), Cid.parse(EMPTY_V1).toString(Base.BASE64URL)};
        String alphabet = Base58.ALPHABET + "0Il=+/-_";
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            String input = switch (i % 4) {
                case 0 -> Fuzz.randomString(random, Fuzz.NASTY, 80);
                case 1 -> "Qm" + Fuzz.randomString(random, alphabet, 44).repeat(random.nextInt(2) + 1);
                case 2 -> "bBzkKfFmu".charAt(random.nextInt(9)) + Fuzz.randomString(random, alphabet, 70);
                default -> mutate(random, seeds[random.nextInt(seeds.length)], alphabet);
            };
            Cid cid = Fuzz.onlyIpldException(input, () -> Cid.parse(input));
            if (cid != null) {
                assertEquals(cid.toV1(), Cid.parse(cid.normalized()), input);
                assertEquals(cid, Cid.parse(cid.toString()), input);
            }
        }
    }

    @Test
    void randomBytesNeverEscapeAsAnythingButIpldException() {
        Random random = Fuzz.random();
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] input = Fuzz.randomBytes(random, 48);
            if (input.length > 3 && random.nextBoolean()) {
                // Bias towards plausible prefixes so the decoder gets past the first byte.
                input[0] = (byte) (random.nextBoolean() ? 0x01 : 0x12);
                input[1] = (byte) (random.nextBoolean() ? 0x20 : 0x55);
            }
            int offset = random.nextInt(input.length + 2) - 1;
            Cid cid = Fuzz.onlyIpldException(input, () -> Cid.decode(input));
            if (cid != null) {
                assertArrayEquals(input, cid.bytes());
            }
            Cid.Read read = Fuzz.onlyIpldException(input, () -> Cid.readFrom(input, offset));
            if (read != null) {
                assertEquals(read.length(), read.cid().bytes().length);
            }
        }
    }

    private static String mutate(Random random, String text, String alphabet) {
        StringBuilder out = new StringBuilder(text);
        int edits = 1 + random.nextInt(3);
        for (int e = 0; e < edits && !out.isEmpty(); e++) {
            int at = random.nextInt(out.length());
            switch (random.nextInt(3)) {
                case 0 -> out.setCharAt(at, alphabet.charAt(random.nextInt(alphabet.length())));
                case 1 -> out.deleteCharAt(at);
                default -> out.insert(at, alphabet.charAt(random.nextInt(alphabet.length())));
            }
        }
        return out.toString();
    }

    private static void assertMessage(String text, String message) {
        IpldException e = assertThrows(IpldException.class, () -> Cid.parse(text));
        assertEquals(message, e.getMessage());
        assertFalse(Cid.isValid(text));
    }

    private static void assertBinaryMessage(String hex, String message) {
        IpldException e = assertThrows(IpldException.class, () -> Cid.decode(HEX.parseHex(hex)));
        assertEquals(message, e.getMessage());
    }
}
