package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;

class MultihashTest {

    private static final HexFormat HEX = HexFormat.of();

    @Test
    void hashesLikeTheMultihashSpecExample() {
        // The multihash README: sha2-256("multihash") in hex and base58.
        Multihash multihash = Multihash.sha256("multihash".getBytes(UTF_8));
        assertEquals("12209cbc07c3f991725836a3aa2a581ca2029198aa420b9d99bc0e131d9f3e2cbe47",
                HEX.formatHex(multihash.bytes()));
        assertEquals("QmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk", Base58.encode(multihash.bytes()));
        assertEquals(Multihash.SHA2_256, multihash.code());
        assertEquals(34, multihash.encodedLength());
    }

    @Test
    void decodesTheSpecSha1ExampleFromHexAndBase58() {
        byte[] bytes = HEX.parseHex("111488c2f11fb2ce392acb5b2986e640211c4690073e");
        Multihash multihash = Multihash.decode(bytes);
        assertEquals(0x11, multihash.code());
        assertEquals("88c2f11fb2ce392acb5b2986e640211c4690073e", HEX.formatHex(multihash.digest()));
        assertEquals(multihash, Multihash.decode(Base58.decode("5dsgvJGnvAfiR3K6HCBc4hcokSfmjj")));
        assertArrayEquals(bytes, multihash.bytes());
    }

    @Test
    void hashesEmptyInputToTheWellKnownSha256() {
        assertEquals("e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855",
                HEX.formatHex(Multihash.sha256(new byte[0]).digest()));
    }

    @Test
    void encodesIdentityMultihashesWithTheDataAsDigest() {
        Multihash identity = new Multihash(Multihash.IDENTITY, "hello".getBytes(UTF_8));
        assertEquals("000568656c6c6f", HEX.formatHex(identity.bytes()));
        assertEquals(identity, Multihash.decode(identity.bytes()));
        assertEquals("identity:68656c6c6f", identity.toString());
    }

    @Test
    void decodesAtAnOffsetAndLeavesFollowingBytesToTheCaller() {
        byte[] buf = HEX.parseHex("ff" + "000568656c6c6f" + "ee");
        Multihash multihash = Multihash.decode(buf, 1);
        assertEquals(7, multihash.encodedLength());
        assertEquals("hello", new String(multihash.digest(), UTF_8));
    }

    @Test
    void rejectsADigestShorterThanDeclared() {
        IpldException e = assertThrows(IpldException.class, () -> Multihash.decode(HEX.parseHex("1220abcd")));
        assertEquals("multihash digest length mismatch: declares 32 bytes but only 2 follow", e.getMessage());
    }

    @Test
    void rejectsBytesAfterTheDigestWhenDecodingAWholeArray() {
        IpldException e = assertThrows(IpldException.class, () -> Multihash.decode(HEX.parseHex("0001aabb")));
        assertTrue(e.getMessage().startsWith("multihash digest length mismatch"), e.getMessage());
    }

    @Test
    void rejectsSha256DigestsThatAreNot32Bytes() {
        IpldException e = assertThrows(IpldException.class, () -> new Multihash(Multihash.SHA2_256, new byte[31]));
        assertEquals("sha2-256 multihash digest must be 32 bytes, got 31", e.getMessage());
        assertThrows(IpldException.class, () -> Multihash.decode(HEX.parseHex("1201ff")));
        assertThrows(IpldException.class, () -> new Multihash(-1, new byte[1]));
    }

    @Test
    void comparesByContentAndNeverSharesItsDigestArray() {
        byte[] digest = new byte[32];
        Multihash a = new Multihash(Multihash.SHA2_256, digest);
        digest[0] = 1;
        Multihash b = new Multihash(Multihash.SHA2_256, new byte[32]);
        assertEquals(a, b);
        assertEquals(a.hashCode(), b.hashCode());
        a.digest()[1] = 1;
        assertEquals(a, b);
        assertNotEquals(a, new Multihash(Multihash.SHA2_256, digest));
        assertNotEquals(new Multihash(0x13, new byte[32]), new Multihash(0x16, new byte[32]));
    }

    @Test
    void randomBytesEitherDecodeAndReencodeIdenticallyOrFailWithIpldException() {
        Random random = Fuzz.random();
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] input = Fuzz.randomBytes(random, 40);
            if (input.length > 1 && random.nextBoolean()) {
                // Bias towards plausible headers so the digest path is exercised too.
                input[0] = (byte) (random.nextBoolean() ? 0x12 : 0x00);
                input[1] = (byte) random.nextInt(40);
            }
            Multihash multihash = Fuzz.onlyIpldException(input, () -> Multihash.decode(input));
            if (multihash != null) {
                assertArrayEquals(input, multihash.bytes());
            }
        }
    }
}
