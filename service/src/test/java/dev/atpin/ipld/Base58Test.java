package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class Base58Test {

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        // base58btc rows of the multibase spec test vectors without the "z" prefix; backslash-zero is a 0 byte.
        "yes mani !|7paNL19xttacUY",
        "\\0yes mani !|17paNL19xttacUY",
        "\\0\\0yes mani !|117paNL19xttacUY",
        "hello world|StV1DL6CwTryKyV",
        "Decentralize everything!!|UXE7GvtEk8XTXs1GF8HSGbVA9FCX9SEBPe",
    })
    void matchesTheMultibaseSpecVectors(String plain, String encoded) {
        byte[] bytes = plain.replace("\\0", "\0").getBytes(ISO_8859_1);
        assertEquals(encoded, Base58.encode(bytes));
        assertArrayEquals(bytes, Base58.decode(encoded));
    }

    @Test
    void keepsLeadingZeroBytesAsOnes() {
        assertEquals("", Base58.encode(new byte[0]));
        assertArrayEquals(new byte[0], Base58.decode(""));
        assertEquals("111", Base58.encode(new byte[3]));
        assertArrayEquals(new byte[3], Base58.decode("111"));
        assertArrayEquals(new byte[] {0, 0, 57}, Base58.decode("11z"));
    }

    @ParameterizedTest
    @ValueSource(strings = {"0", "O", "I", "l", "+", " ", "\u00e9"})
    void rejectsCharactersOutsideTheBitcoinAlphabet(String bad) {
        IpldException e = assertThrows(IpldException.class, () -> Base58.decode("abc" + bad + "def"));
        assertTrue(e.getMessage().contains("invalid base58btc character"), e.getMessage());
        assertTrue(e.getMessage().contains("at index 3"), e.getMessage());
    }

    @Test
    void roundTripsRandomBytesIncludingLeadingZeros() {
        Random random = Fuzz.random();
        for (int i = 0; i < 2_000; i++) {
            byte[] bytes = Fuzz.randomBytes(random, 64);
            for (int z = random.nextInt(4); z > 0 && z <= bytes.length; z--) {
                bytes[z - 1] = 0;
            }
            assertArrayEquals(bytes, Base58.decode(Base58.encode(bytes)));
        }
    }
}
