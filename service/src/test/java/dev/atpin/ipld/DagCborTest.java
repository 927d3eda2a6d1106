package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class DagCborTest {

    private static final HexFormat HEX = HexFormat.of();

    private static byte[] hex(String hex) {
        return HEX.parseHex(hex);
    }

    private static Map<String, Object> map(Object... keysAndValues) {
        Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            map.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return map;
    }

    private static byte[] base64(String text) {
        return Base64.getDecoder().decode(text);
    }

    // Vectors transcribed from bluesky-social/atproto-interop-tests, data-model/data-model-fixtures.json
    // (CC0; commit 056e574). Each pairs atproto JSON with its DAG-CBOR bytes (base64, unpadded) and CID.

    @Test
    void encodesTheFirstInteropDataModelFixtureToItsCborAndCid() {
        Map<String, Object> value = map(
                "string", "abc",
                "unicode", "a~\u00f6\u00f1\u00a9\u2f58\u260e\ud80c\uded3\ud83d\ude00"
                        + "\ud83d\udc68\u200d\ud83d\udc69\u200d\ud83d\udc67\u200d\ud83d\udc67",
                "integer", 123L,
                "bool", true,
                "null", null,
                "array", List.of("abc", "def", "ghi"),
                "object", map("string", "abc", "number", 123L, "bool", true, "arr", List.of("abc", "def", "ghi")));
        byte[] cbor = base64("p2Rib29s9WRudWxs9mVhcnJheYNjYWJjY2RlZmNnaGlmb2JqZWN0pGNhcnKDY2FiY2NkZWZjZ2hpZGJvb2z1Zm"
                + "51bWJlchh7ZnN0cmluZ2NhYmNmc3RyaW5nY2FiY2dpbnRlZ2VyGHtndW5pY29kZXgvYX7DtsOxwqnivZjimI7wk4uT8J+YgPCfkaj"
                + "igI3wn5Gp4oCN8J+Rp+KAjfCfkac");
        assertArrayEquals(cbor, DagCbor.encode(value));
        assertEquals("bafyreiclp443lavogvhj3d2ob2cxbfuscni2k5jk7bebjzg7khl3esabwq", DagCbor.cid(cbor).toString());
        assertEquals(value, DagCbor.decode(cbor));
    }

    @Test
    void encodesTheInteropFixtureWithLinksBytesAndABlob() {
        Cid link = Cid.parse("bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a");
        byte[] bytes = base64("nFERjvLLiw9qm45JrqH9QTzyC2Lu1Xb4ne6+sBrCzI0=");
        Map<String, Object> value = map(
                "a", link,
                "b", bytes,
                "c", map("$type", "blob",
                        "ref", Cid.parse("bafkreiccldh766hwcnuxnf2wh6jgzepf2nlu2lvcllt63eww5p6chi4ity"),
                        "mimeType", "image/jpeg",
                        "size", 10000L));
        byte[] cbor = base64("o2Fh2CpYJQABcRIgZQYqWloA/BbXPGlEI3zLwVscSnI0SJM2iR0JF0GiOdBhYlggnFERjvLLiw9qm45JrqH9QTzyC2Lu"
                + "1Xb4ne6+sBrCzI1hY6RjcmVm2CpYJQABVRIgQljP/3j2E2l2l1Y/kmyR5dNXTS6iWuftktbr/COjiJ5kc2l6ZRknEGUkdHlwZWRib"
                + "G9iaG1pbWVUeXBlamltYWdlL2pwZWc");
        assertArrayEquals(cbor, DagCbor.encode(value));
        assertEquals("bafyreihldkhcwijkde7gx4rpkkuw7pl6lbyu5gieunyc7ihactn5bkd2nm", DagCbor.cid(cbor).toString());

        @SuppressWarnings("unchecked")
        Map<String, Object> decoded = (Map<String, Object>) DagCbor.decode(cbor);
        assertEquals(link, decoded.get("a"));
        assertArrayEquals(bytes, (byte[]) decoded.get("b"));
        assertEquals(Cid.RAW, ((Cid) ((Map<?, ?>) decoded.get("c")).get("ref")).codec());
        assertArrayEquals(cbor, DagCbor.encode(decoded));
    }

    @Test
    void encodesTheInteropFixtureWithNestedListsOfLinksAndBytes() {
        Cid link = Cid.parse("bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a");
        Map<String, Object> value = map("a", map("b", List.of(map(
                "d", List.of(link, link),
                "e", List.of(base64("nFERjvLLiw9qm45JrqH9QTzyC2Lu1Xb4ne6+sBrCzI0="),
                        base64("iE+sPoHobU9tSIqGI+309LLCcWQIRmEXwxcoDt19tas="))))));
        byte[] cbor = base64("oWFhoWFigaJhZILYKlglAAFxEiBlBipaWgD8Ftc8aUQjfMvBWxxKcjRIkzaJHQkXQaI50NgqWCUAAXESIGUGKlpaAPw"
                + "W1zxpRCN8y8FbHEpyNEiTNokdCRdBojnQYWWCWCCcURGO8suLD2qbjkmuof1BPPILYu7Vdvid7r6wGsLMjVggiE+sPoHobU9tSIq"
                + "GI+309LLCcWQIRmEXwxcoDt19tas");
        assertArrayEquals(cbor, DagCbor.encode(value));
        assertEquals("bafyreid3imdulnhgeytpf6uk7zahjvrsqlofkmm5b5ub2maw4kqus6jp4i", DagCbor.cid(cbor).toString());
        assertArrayEquals(cbor, DagCbor.encode(DagCbor.decode(cbor)));
        assertTrue(DagCbor.isCanonical(cbor));
    }

    /** Examples from RFC 8949 Appendix A whose encodings are also the canonical DAG-CBOR ones. */
    @ParameterizedTest
    @CsvSource({
        "0, 00", "1, 01", "10, 0a", "23, 17", "24, 1818", "25, 1819", "100, 1864", "1000, 1903e8",
        "1000000, 1a000f4240", "1000000000000, 1b000000e8d4a51000", "18446744073709551615, 1bffffffffffffffff",
        "-18446744073709551616, 3bffffffffffffffff", "-1, 20", "-10, 29", "-100, 3863", "-1000, 3903e7",
        "9223372036854775807, 1b7fffffffffffffff", "-9223372036854775808, 3b7fffffffffffffff",
        "255, 18ff", "256, 190100", "65535, 19ffff", "65536, 1a00010000", "4294967295, 1affffffff",
        "4294967296, 1b0000000100000000",
    })
    void encodesIntegersInTheirShortestFormAndDecodesThemBack(String number, String expectedHex) {
        BigInteger big = new BigInteger(number);
        Object value = big.bitLength() < 64 ? (Object) big.longValueExact() : big;
        assertEquals(expectedHex, HEX.formatHex(DagCbor.encode(value)));
        assertEquals(value, DagCbor.decode(hex(expectedHex)));
    }

    @Test
    void encodesTheOtherRfc8949ExamplesCanonically() {
        assertEquals("fb3ff199999999999a", HEX.formatHex(DagCbor.encode(1.1)));
        assertEquals("fbc010666666666666", HEX.formatHex(DagCbor.encode(-4.1)));
        assertEquals("f4", HEX.formatHex(DagCbor.encode(false)));
        assertEquals("f5", HEX.formatHex(DagCbor.encode(true)));
        assertEquals("f6", HEX.formatHex(DagCbor.encode(null)));
        assertEquals("60", HEX.formatHex(DagCbor.encode("")));
        assertEquals("6449455446", HEX.formatHex(DagCbor.encode("IETF")));
        assertEquals("62c3bc", HEX.formatHex(DagCbor.encode("\u00fc")));
        assertEquals("63e6b0b4", HEX.formatHex(DagCbor.encode("\u6c34")));
        assertEquals("64f0908591", HEX.formatHex(DagCbor.encode("\ud800\udd51")));
        assertEquals("4401020304", HEX.formatHex(DagCbor.encode(hex("01020304"))));
        assertEquals("80", HEX.formatHex(DagCbor.encode(List.of())));
        assertEquals("83010203", HEX.formatHex(DagCbor.encode(List.of(1L, 2L, 3L))));
        assertEquals("a0", HEX.formatHex(DagCbor.encode(Map.of())));
        assertEquals("a26161016162820203", HEX.formatHex(DagCbor.encode(map("b", List.of(2L, 3L), "a", 1L))));
        assertEquals(1.1, DagCbor.decode(hex("fb3ff199999999999a")));
    }

    @Test
    void sortsMapKeysShorterFirstThenBytewise() {
        Map<String, Object> value = map("bb", 1L, "a", 2L, "ab", 3L, "b", 4L, "\u00e9", 5L, "z", 6L);
        // a, b, z (1 byte), then ab, bb and é (2 bytes; 0xc3a9 sorts after the ASCII ones).
        assertEquals("a6616102616204617a06" + "62616203" + "62626201" + "62c3a905",
                HEX.formatHex(DagCbor.encode(value)));
    }

    @Test
    void acceptsIntegerJavaTypesAndFloatsAsTheirDagCborForms() {
        assertEquals("1903e8", HEX.formatHex(DagCbor.encode(1000)));
        assertEquals("387f", HEX.formatHex(DagCbor.encode((short) -128)));
        assertEquals("07", HEX.formatHex(DagCbor.encode((byte) 7)));
        assertEquals("fb3ff8000000000000", HEX.formatHex(DagCbor.encode(1.5f)));
        // An integral double stays a float: the kinds are distinct in the data model.
        assertEquals("fb4000000000000000", HEX.formatHex(DagCbor.encode(2.0)));
        assertEquals(2.0, DagCbor.decode(hex("fb4000000000000000")));
    }

    @Test
    void decodesLinksAsCidsIncludingCidV0() {
        Cid v1 = Cid.parse("bafyreidfayvfuwqa7qlnopdjiqrxzs6blmoeu4rujcjtnci5beludirz2a");
        Cid v0 = Cid.parse("QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n");
        assertEquals(v1, DagCbor.decode(DagCbor.encode(v1)));
        byte[] encodedV0 = DagCbor.encode(v0);
        assertEquals("d82a5823001220", HEX.formatHex(encodedV0, 0, 7));
        assertEquals(v0, DagCbor.decode(encodedV0));
    }

    @Test
    void decodesValuesToTheDocumentedJavaTypes() {
        Object decoded = DagCbor.decode(DagCbor.encode(map("i", 1L, "s", "x", "b", hex("00"), "f", 0.5, "l",
                List.of(true), "n", null, "m", Map.of())));
        Map<?, ?> map = assertInstanceOf(LinkedHashMap.class, decoded);
        assertInstanceOf(Long.class, map.get("i"));
        assertInstanceOf(String.class, map.get("s"));
        assertInstanceOf(byte[].class, map.get("b"));
        assertInstanceOf(Double.class, map.get("f"));
        assertInstanceOf(List.class, map.get("l"));
        assertInstanceOf(Map.class, map.get("m"));
        assertTrue(map.containsKey("n"));
        assertNull(map.get("n"));
        assertInstanceOf(BigInteger.class, DagCbor.decode(hex("1bffffffffffffffff")));
        assertInstanceOf(BigInteger.class, DagCbor.decode(hex("3b8000000000000000")));
        assertEquals(Long.MIN_VALUE, DagCbor.decode(hex("3b7fffffffffffffff")));
    }

    @Test
    void decodesMapsWithKeysOutOfCanonicalOrderButDoesNotCallThemCanonical() {
        byte[] unsorted = hex("a2616202616101");
        assertEquals(map("b", 2L, "a", 1L), DagCbor.decode(unsorted));
        assertEquals(List.of("b", "a"), List.copyOf(((Map<?, ?>) DagCbor.decode(unsorted)).keySet()));
        assertFalse(DagCbor.isCanonical(unsorted));
        assertTrue(DagCbor.isCanonical(hex("a2616101616202")));
        assertFalse(DagCbor.isCanonical(hex("ff")));
    }

    @ParameterizedTest(name = "{0}: {1}")
    @CsvSource({
        "indefinite array, 9f01ff",
        "indefinite map, bf616101ff",
        "indefinite text string, 7f616161ff",
        "indefinite byte string, 5f4101ff",
        "undefined, f7",
        "half float, f93c00",
        "single float, fa3f800000",
        "NaN, fb7ff8000000000000",
        "infinity, fb7ff0000000000000",
        "negative infinity, fbfff0000000000000",
        "simple value, f0",
        "one-byte simple value, f820",
        "lone break, ff",
        "reserved additional information, 1c",
        "tag other than 42, c11a514b67b0",
        "bignum tag, c249010000000000000000",
        "two tags, d82ad82a450001551200",
        "tag 42 on an integer, d82a01",
        "tag 42 on a string, d82a6161",
        "link without the 0x00 prefix, d82a440155120a",
        "link to garbage, d82a4300ffff",
        "integer map key, a10102",
        "byte string map key, a1410102",
        "duplicate map key, a2616101616102",
        "non-minimal 1-byte integer, 1801",
        "non-minimal 2-byte integer, 190017",
        "non-minimal 4-byte integer, 1a0000ffff",
        "non-minimal 8-byte integer, 1b00000000ffffffff",
        "non-minimal negative integer, 3800",
        "non-minimal string length, 780161",
        "non-minimal array length, 980101",
        "trailing bytes, 0000",
        "truncated string, 6261",
        "truncated map, a26161",
        "truncated integer, 1a0001",
        "string length beyond the input, 7b000000010000000061",
        "byte string length beyond the input, 5bffffffffffffffff",
        "array count beyond the input, 9bffffffffffffffff",
        "map count beyond the input, ba0fffffff",
        "invalid UTF-8, 61ff",
        "UTF-8 encoded surrogate, 63eda080",
        "overlong UTF-8, 62c0af",
        "invalid UTF-8 in a key, a161ff01",
        "empty input, ''",
    })
    void rejectsWhatDagCborForbids(String what, String encoded) {
        IpldException e = assertThrows(IpldException.class, () -> DagCbor.decode(hex(encoded)), what);
        assertTrue(e.getMessage().startsWith("invalid DAG-CBOR: "), e.getMessage());
    }

    @Test
    void namesTheProblemInItsMessages() {
        assertEquals("invalid DAG-CBOR: duplicate map key \"a\"",
                assertThrows(IpldException.class, () -> DagCbor.decode(hex("a2616101616102"))).getMessage());
        assertEquals("invalid DAG-CBOR: map keys must be strings",
                assertThrows(IpldException.class, () -> DagCbor.decode(hex("a10102"))).getMessage());
        assertEquals("invalid DAG-CBOR: indefinite-length items are not allowed",
                assertThrows(IpldException.class, () -> DagCbor.decode(hex("9f01ff"))).getMessage());
        assertEquals("invalid DAG-CBOR: tag 1 is not allowed (only 42)",
                assertThrows(IpldException.class, () -> DagCbor.decode(hex("c11a514b67b0"))).getMessage());
        assertEquals("invalid DAG-CBOR: 1 trailing bytes after the value",
                assertThrows(IpldException.class, () -> DagCbor.decode(hex("0000"))).getMessage());
    }

    @Test
    void enforcesTheDepthItemAndSizeLimits() {
        DagCbor.Limits limits = new DagCbor.Limits(100, 3, 10);
        assertEquals(List.of(List.of(List.of())), DagCbor.decode(hex("818180"), limits));
        assertTrue(assertThrows(IpldException.class, () -> DagCbor.decode(hex("81818180"), limits))
                .getMessage().contains("nesting deeper than 3"));
        assertTrue(assertThrows(IpldException.class, () -> DagCbor.decode(hex("8a00000000000000000000"), limits))
                .getMessage().contains("more than 10 items"));
        assertTrue(assertThrows(IpldException.class, () -> DagCbor.decode(new byte[101], limits))
                .getMessage().contains("exceeds the limit of 100"));
        // A deeply nested input is refused long before the stack is at risk.
        byte[] deep = new byte[100_000];
        java.util.Arrays.fill(deep, (byte) 0x81);
        assertThrows(IpldException.class, () -> DagCbor.decode(deep));
    }

    @Test
    void decodesTheFirstOfTwoConcatenatedValuesAndReportsItsLength() {
        byte[] two = hex("a261746723636f6d6d6974626f7001" + "a163736571182a");
        DagCbor.Decoded first = DagCbor.decodeFirst(two, 0, two.length, DagCbor.Limits.DEFAULT);
        assertEquals(map("op", 1L, "t", "#commit"), first.value());
        assertEquals(15, first.length());
        assertEquals(map("seq", 42L), DagCbor.decode(java.util.Arrays.copyOfRange(two, 15, two.length)));
        assertEquals(new DagCbor.Decoded("hi", 3),
                new DagCbor.Decoded(DagCbor.decodeFirst(hex("00626869ff"), 1, 3, DagCbor.Limits.DEFAULT).value(), 3));
        assertEquals(3, DagCbor.decodeFirst(hex("00626869ff"), 1, 4, DagCbor.Limits.DEFAULT).length());
    }

    @Test
    void refusesToEncodeWhatDagCborCannotHold() {
        assertThrows(IpldException.class, () -> DagCbor.encode(Double.NaN));
        assertThrows(IpldException.class, () -> DagCbor.encode(Double.POSITIVE_INFINITY));
        assertThrows(IpldException.class, () -> DagCbor.encode(Set.of(1)));
        assertThrows(IpldException.class, () -> DagCbor.encode(Map.of(1, 2)));
        assertThrows(IpldException.class, () -> DagCbor.encode("\ud800"));
        assertThrows(IpldException.class, () -> DagCbor.encode(BigInteger.ONE.shiftLeft(64)));
        assertThrows(IpldException.class, () -> DagCbor.encode(BigInteger.ONE.shiftLeft(64).negate()
                .subtract(BigInteger.ONE)));
        List<Object> cycle = new ArrayList<>();
        cycle.add(cycle);
        assertThrows(IpldException.class, () -> DagCbor.encode(cycle));
    }

    @Test
    void roundTripsRandomValuesByteForByte() {
        Random random = Fuzz.random();
        for (int i = 0; i < 2_000; i++) {
            Object value = randomValue(random, 0);
            byte[] encoded = DagCbor.encode(value);
            Object decoded = DagCbor.decode(encoded);
            assertArrayEquals(encoded, DagCbor.encode(decoded));
            assertTrue(DagCbor.isCanonical(encoded));
        }
    }

    @Test
    void onlyIpldExceptionEscapesOnRandomOrMutatedInput() {
        Random random = Fuzz.random();
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 50; i++) {
            seeds.add(DagCbor.encode(randomValue(random, 0)));
        }
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] input;
            if (i % 2 == 0) {
                input = Fuzz.randomBytes(random, 64);
            } else {
                input = seeds.get(random.nextInt(seeds.size())).clone();
                if (input.length == 0) {
                    continue;
                }
                int mutations = 1 + random.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
                if (random.nextBoolean()) {
                    input = java.util.Arrays.copyOf(input, random.nextInt(input.length + 1));
                }
            }
            byte[] attempt = input;
            Object decoded = Fuzz.onlyIpldException(attempt, () -> DagCbor.decode(attempt));
            if (decoded != null) {
                // Whatever decodes must re-encode without complaint.
                Fuzz.onlyIpldException(attempt, () -> DagCbor.encode(decoded));
            }
        }
    }

    private static final String TEXT = Fuzz.NASTY.replace("\ud83d\ude80", "");

    static Object randomValue(Random random, int depth) {
        int kind = random.nextInt(depth > 3 ? 8 : 10);
        return switch (kind) {
            case 0 -> null;
            case 1 -> random.nextBoolean();
            case 2 -> switch (random.nextInt(4)) {
                case 0 -> (long) random.nextInt(30) - 15;
                case 1 -> (long) random.nextInt();
                case 2 -> random.nextLong();
                default -> new BigInteger(63, random).add(BigInteger.ONE.shiftLeft(63))
                        .multiply(BigInteger.valueOf(random.nextBoolean() ? 1 : -1));
            };
            case 3 -> random.nextDouble() * 1e6 - 5e5;
            // Fuzz.NASTY holds a surrogate pair whose halves alone are not Unicode; keep the pair whole.
            case 4 -> Fuzz.randomString(random, TEXT, 30) + (random.nextBoolean() ? "\ud83d\ude80" : "");
            case 5 -> Fuzz.randomBytes(random, 40);
            case 6 -> DagCbor.cid(Fuzz.randomBytes(random, 8));
            case 7 -> Fuzz.randomString(random, "ab", 3);
            case 8 -> {
                List<Object> list = new ArrayList<>();
                int size = random.nextInt(5);
                for (int i = 0; i < size; i++) {
                    list.add(randomValue(random, depth + 1));
                }
                yield list;
            }
            default -> {
                Map<String, Object> map = new LinkedHashMap<>();
                int size = random.nextInt(6);
                for (int i = 0; i < size; i++) {
                    map.put(Fuzz.randomString(random, "abcdé", 4), randomValue(random, depth + 1));
                }
                yield map;
            }
        };
    }
}
