package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.fail;

import java.util.Random;
import java.util.function.Supplier;

/** Helpers for the random-input tests: inputs are generated from a fixed seed so failures reproduce. */
final class Fuzz {

    static final int ROUNDS = 10_000;

    /** Every printable ASCII character plus a few that parsers tend to trip over. */
    static final String NASTY = "!\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_`"
            + "abcdefghijklmnopqrstuvwxyz{|}~ \t\n\u0000\u00e9\u00ff\u0100\u20ac\ud83d\ude80\uffff";

    private Fuzz() {
    }

    static Random random() {
        return new Random(0x1a2b3c4dL);
    }

    static String randomString(Random random, String alphabet, int maxLength) {
        int length = random.nextInt(maxLength + 1);
        StringBuilder out = new StringBuilder(length);
        for (int i = 0; i < length; i++) {
            out.append(alphabet.charAt(random.nextInt(alphabet.length())));
        }
        return out.toString();
    }

    static byte[] randomBytes(Random random, int maxLength) {
        byte[] out = new byte[random.nextInt(maxLength + 1)];
        random.nextBytes(out);
        return out;
    }

    /**
     * Runs the action and lets it either succeed or throw {@link IpldException}; anything else fails the test
     * and names the input.
     */
    static <T> T onlyIpldException(Object input, Supplier<T> action) {
        try {
            return action.get();
        } catch (IpldException e) {
            if (e.getMessage() == null || e.getMessage().isBlank()) {
                fail("IpldException without a message for input " + describe(input));
            }
            return null;
        } catch (RuntimeException | StackOverflowError e) {
            throw new AssertionError("unexpected " + e + " for input " + describe(input), e);
        }
    }

    private static String describe(Object input) {
        if (input instanceof byte[] bytes) {
            return java.util.HexFormat.of().formatHex(bytes);
        }
        return String.valueOf(input).codePoints()
                .mapToObj(c -> c >= 0x20 && c < 0x7f ? Character.toString(c) : String.format("\\u{%x}", c))
                .reduce("\"", String::concat) + "\"";
    }
}
