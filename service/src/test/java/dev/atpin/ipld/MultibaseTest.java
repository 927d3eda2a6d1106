package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.atpin.ipld.Multibase.Base;
import java.util.List;
import java.util.Random;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

class MultibaseTest {

    private static final String YES_MANI = "yes mani !";
    private static final String ONE_ZERO = "\0yes mani !";
    private static final String TWO_ZEROS = "\0\0yes mani !";
    private static final String HELLO = "hello world";
    private static final String DECENTRALIZE = "Decentralize everything!!";

    /**
     * Rows of the multibase spec's tests/*.csv files (basic, leading_zero, two_leading_zeros, test1, test3) for
     * the bases this class supports: input, base name, multibase string.
     */
    static Stream<Arguments> specVectors() {
        return Stream.of(
                Arguments.of(YES_MANI, "base16", "f796573206d616e692021"),
                Arguments.of(YES_MANI, "base16upper", "F796573206D616E692021"),
                Arguments.of(YES_MANI, "base32", "bpfsxgidnmfxgsibb"),
                Arguments.of(YES_MANI, "base32upper", "BPFSXGIDNMFXGSIBB"),
                Arguments.of(YES_MANI, "base36", "k2lcpzo5yikidynfl"),
                Arguments.of(YES_MANI, "base36upper", "K2LCPZO5YIKIDYNFL"),
                Arguments.of(YES_MANI, "base58btc", "z7paNL19xttacUY"),
                Arguments.of(YES_MANI, "base64", "meWVzIG1hbmkgIQ"),
                Arguments.of(YES_MANI, "base64url", "ueWVzIG1hbmkgIQ"),
                Arguments.of(ONE_ZERO, "base16", "f00796573206d616e692021"),
                Arguments.of(ONE_ZERO, "base16upper", "F00796573206D616E692021"),
                Arguments.of(ONE_ZERO, "base32", "bab4wk4zanvqw42jaee"),
                Arguments.of(ONE_ZERO, "base32upper", "BAB4WK4ZANVQW42JAEE"),
                Arguments.of(ONE_ZERO, "base36", "k02lcpzo5yikidynfl"),
                Arguments.of(ONE_ZERO, "base36upper", "K02LCPZO5YIKIDYNFL"),
                Arguments.of(ONE_ZERO, "base58btc", "z17paNL19xttacUY"),
                Arguments.of(ONE_ZERO, "base64", "mAHllcyBtYW5pICE"),
                Arguments.of(ONE_ZERO, "base64url", "uAHllcyBtYW5pICE"),
                Arguments.of(TWO_ZEROS, "base16", "f0000796573206d616e692021"),
                Arguments.of(TWO_ZEROS, "base16upper", "F0000796573206D616E692021"),
                Arguments.of(TWO_ZEROS, "base32", "baaahszltebwwc3tjeaqq"),
                Arguments.of(TWO_ZEROS, "base32upper", "BAAAHSZLTEBWWC3TJEAQQ"),
                Arguments.of(TWO_ZEROS, "base36", "k002lcpzo5yikidynfl"),
                Arguments.of(TWO_ZEROS, "base36upper", "K002LCPZO5YIKIDYNFL"),
                Arguments.of(TWO_ZEROS, "base58btc", "z117paNL19xttacUY"),
                Arguments.of(TWO_ZEROS, "base64", "mAAB5ZXMgbWFuaSAh"),
                Arguments.of(TWO_ZEROS, "base64url", "uAAB5ZXMgbWFuaSAh"),
                Arguments.of(HELLO, "base16", "f68656c6c6f20776f726c64"),
                Arguments.of(HELLO, "base16upper", "F68656C6C6F20776F726C64"),
                Arguments.of(HELLO, "base32", "bnbswy3dpeb3w64tmmq"),
                Arguments.of(HELLO, "base32upper", "BNBSWY3DPEB3W64TMMQ"),
                Arguments.of(HELLO, "base58btc", "zStV1DL6CwTryKyV"),
                Arguments.of(HELLO, "base64", "maGVsbG8gd29ybGQ"),
                Arguments.of(HELLO, "base64url", "uaGVsbG8gd29ybGQ"),
                Arguments.of(DECENTRALIZE, "base16", "f446563656e7472616c697a652065766572797468696e672121"),
                Arguments.of(DECENTRALIZE, "base16upper", "F446563656E7472616C697A652065766572797468696E672121"),
                Arguments.of(DECENTRALIZE, "base32", "birswgzloorzgc3djpjssazlwmvzhs5dinfxgoijb"),
                Arguments.of(DECENTRALIZE, "base32upper", "BIRSWGZLOORZGC3DJPJSSAZLWMVZHS5DINFXGOIJB"),
                Arguments.of(DECENTRALIZE, "base36", "k343ixo7d49hqj1ium15pgy1wzww5fxrid21td7l"),
                Arguments.of(DECENTRALIZE, "base36upper", "K343IXO7D49HQJ1IUM15PGY1WZWW5FXRID21TD7L"),
                Arguments.of(DECENTRALIZE, "base58btc", "zUXE7GvtEk8XTXs1GF8HSGbVA9FCX9SEBPe"),
                Arguments.of(DECENTRALIZE, "base64", "mRGVjZW50cmFsaXplIGV2ZXJ5dGhpbmchIQ"),
                Arguments.of(DECENTRALIZE, "base64url", "uRGVjZW50cmFsaXplIGV2ZXJ5dGhpbmchIQ"));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("specVectors")
    void decodesTheSpecVectors(String plain, String baseName, String encoded) {
        assertArrayEquals(plain.getBytes(ISO_8859_1), Multibase.decode(encoded));
    }

    @ParameterizedTest(name = "{1} {2}")
    @MethodSource("specVectors")
    void encodesTheLowercaseSpecVectors(String plain, String baseName, String encoded) {
        List.of(Base.values()).stream()
                .filter(base -> base.specName().equals(baseName))
                .forEach(base -> assertEquals(encoded, Multibase.encode(base, plain.getBytes(ISO_8859_1))));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        // tests/case_insensitivity.csv: mixed-case payloads of the case-insensitive bases decode to "hello world".
        "f68656c6c6f20776F726C64",
        "F68656c6c6f20776F726C64",
        "bnbswy3dpeB3W64TMMQ",
        "Bnbswy3dpeB3W64TMMQ",
        "kfUvrsIvVnfRbjWaJo",
        "KfUVrSIVVnFRbJWAJo",
    })
    void decodesMixedCasePayloadsOfCaseInsensitiveBases(String encoded) {
        assertArrayEquals(HELLO.getBytes(ISO_8859_1), Multibase.decode(encoded));
    }

    @Test
    void encodesEmptyDataAsThePrefixAlone() {
        for (Base base : Base.values()) {
            String encoded = Multibase.encode(base, new byte[0]);
            assertEquals(String.valueOf(base.prefix()), encoded);
            assertArrayEquals(new byte[0], Multibase.decode(encoded));
        }
    }

    @ParameterizedTest
    @ValueSource(strings = {
        "cpfsxgidnmfxgsibb", // base32pad
        "vf5in683dc5n6i811", // base32hex
        "Z7Pznk19XTTzBtx", // base58flickr
        "9573277761329450583662625", // base10
        "MeWVzIG1hbmkgIQ==", // base64pad
        "QmYtUc4iTCbbfVSDNKvtQqrfyezPPnFvE33wFmutw9PBBk", // a bare base58 string has no prefix
        " bpfsxgidnmfxgsibb",
    })
    void rejectsUnsupportedPrefixes(String encoded) {
        IpldException e = assertThrows(IpldException.class, () -> Multibase.decode(encoded));
        assertTrue(e.getMessage().startsWith("unsupported multibase prefix"), e.getMessage());
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(delimiter = '|', value = {
        "|empty multibase string",
        "meWVzIG1hbmkgIQ==|invalid base64 character '=' at index 15",
        "bpfsxgidnmfxgsib1|invalid base32 character '1' at index 16",
        "z7paNL19xttac0Y|invalid base58btc character '0' at index 13",
        "k2lcpzo5yikidyn-l|invalid base36 character '-' at index 15",
        "f7965g3|invalid base16 character 'g' at index 5",
        "ueWVzIG1hbmkgIQ+|invalid base64url character '+' at index 15",
        "f796|invalid base16 length 3",
        "bpfsxgidnm|invalid base32 length 9",
        "meWVzI|invalid base64 length 5",
        "bnbswy3dpeb3w64tmmr|base32 string has non-zero trailing bits",
        "maGVsbG8gd29ybGR|base64 string has non-zero trailing bits",
    })
    void rejectsMalformedPayloadsWithAPreciseMessage(String encoded, String message) {
        IpldException e = assertThrows(IpldException.class, () -> Multibase.decode(encoded));
        assertEquals(message, e.getMessage());
    }

    @Test
    void rejectsNonAsciiCharactersWithoutEchoingThem() {
        IpldException e = assertThrows(IpldException.class, () -> Multibase.decode("bpfs\u00e9x"));
        assertEquals("invalid base32 character U+00E9 at index 4", e.getMessage());
    }

    @Test
    void roundTripsRandomBytesInEveryBase() {
        Random random = Fuzz.random();
        for (Base base : Base.values()) {
            for (int i = 0; i < 1_000; i++) {
                byte[] bytes = Fuzz.randomBytes(random, 48);
                if (random.nextBoolean() && bytes.length > 0) {
                    bytes[0] = 0;
                }
                String encoded = Multibase.encode(base, bytes);
                assertEquals(base.prefix(), encoded.charAt(0));
                assertArrayEquals(bytes, Multibase.decode(encoded), base + " " + encoded);
            }
        }
    }

    @Test
    void randomStringsEitherDecodeCanonicallyOrFailWithIpldException() {
        Random random = Fuzz.random();
        String prefixes = "bBzkKfFmuQ1c";
        String alphabet = Base58.ALPHABET + "0Il+/-_=" + "\u00e9 ";
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            String input = random.nextInt(10) == 0
                    ? Fuzz.randomString(random, Fuzz.NASTY, 40)
                    : prefixes.charAt(random.nextInt(prefixes.length())) + Fuzz.randomString(random, alphabet, 40);
            byte[] decoded = Fuzz.onlyIpldException(input, () -> Multibase.decode(input));
            if (decoded != null) {
                // Whatever decodes must come back in the same base with the same bytes.
                char prefix = Character.toLowerCase(input.charAt(0));
                Base base = Stream.of(Base.values()).filter(b -> b.prefix() == prefix).findFirst().orElseThrow();
                assertArrayEquals(decoded, Multibase.decode(Multibase.encode(base, decoded)));
            }
        }
    }
}
