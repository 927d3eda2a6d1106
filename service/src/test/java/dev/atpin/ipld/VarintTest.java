package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.HexFormat;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class VarintTest {

    private static final HexFormat HEX = HexFormat.of();

    @ParameterizedTest(name = "{0} <-> {1}")
    @CsvSource({
        // The examples of the multiformats unsigned-varint spec.
        "1, 01",
        "127, 7f",
        "128, 8001",
        "255, ff01",
        "300, ac02",
        "16384, 808001",
        "0, 00",
        "9223372036854775807, ffffffffffffffff7f",
    })
    void encodesAndDecodesSpecExamples(long value, String hex) {
        byte[] bytes = HEX.parseHex(hex);
        assertArrayEquals(bytes, Varint.encode(value));
        assertEquals(bytes.length, Varint.size(value));
        assertEquals(new Varint.Decoded(value, bytes.length), Varint.decode(bytes, 0));
        assertEquals(value, Varint.read(bytes, 0));
    }

    @Test
    void roundTripsEveryLengthBoundary() {
        for (int bits = 0; bits <= 63; bits++) {
            for (long value : new long[] {(1L << bits) - 1, bits < 63 ? 1L << bits : Long.MAX_VALUE}) {
                byte[] encoded = Varint.encode(value);
                assertEquals(Varint.size(value), encoded.length);
                assertEquals(new Varint.Decoded(value, encoded.length), Varint.decode(encoded, 0));
            }
        }
    }

    @Test
    void decodesAtAnOffsetAndReportsTheBytesConsumed() {
        byte[] buf = HEX.parseHex("ffac02ff");
        Varint.Decoded decoded = Varint.decode(buf, 1);
        assertEquals(300, decoded.value());
        assertEquals(2, decoded.length());
    }

    @Test
    void rejectsNonMinimalEncodings() {
        for (String hex : new String[] {"8000", "8100", "ff8000", "808080808000"}) {
            IpldException e = assertThrows(IpldException.class, () -> Varint.decode(HEX.parseHex(hex), 0), hex);
            assertTrue(e.getMessage().contains("not minimally encoded"), e.getMessage());
        }
    }

    @Test
    void rejectsVarintsLongerThanNineBytes() {
        byte[] tenBytes = HEX.parseHex("80808080808080808001");
        IpldException e = assertThrows(IpldException.class, () -> Varint.decode(tenBytes, 0));
        assertTrue(e.getMessage().contains("longer than 9 bytes"), e.getMessage());
    }

    @Test
    void rejectsTruncatedInputAndOffsetsOutsideTheBuffer() {
        assertTrue(assertThrows(IpldException.class, () -> Varint.decode(HEX.parseHex("8080"), 0))
                .getMessage().contains("truncated"));
        assertThrows(IpldException.class, () -> Varint.decode(new byte[0], 0));
        assertThrows(IpldException.class, () -> Varint.decode(new byte[] {1}, 1));
        assertThrows(IpldException.class, () -> Varint.decode(new byte[] {1}, -1));
        assertThrows(IpldException.class, () -> Varint.decode(null, 0));
    }

    @ParameterizedTest
    @ValueSource(longs = {-1, Long.MIN_VALUE})
    void refusesToEncodeNegativeValuesBecauseTheyNeedTenBytes(long value) {
        assertThrows(IpldException.class, () -> Varint.encode(value));
        assertThrows(IpldException.class, () -> Varint.size(value));
    }

    @Test
    void randomBytesEitherDecodeToTheirOwnMinimalEncodingOrFailCleanly() {
        Random random = Fuzz.random();
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] input = Fuzz.randomBytes(random, 12);
            int offset = random.nextInt(input.length + 2) - 1;
            Varint.Decoded decoded = Fuzz.onlyIpldException(input, () -> Varint.decode(input, offset));
            if (decoded != null) {
                assertTrue(decoded.value() >= 0);
                assertArrayEquals(Arrays.copyOfRange(input, offset, offset + decoded.length()),
                        Varint.encode(decoded.value()));
            }
        }
    }
}
