package dev.atpin.ipld;

/**
 * Base58 with the Bitcoin alphabet ("base58btc"), which leaves out the look-alike characters 0, O, I and l.
 *
 * <p>It is a class of its own, apart from {@link Multibase}, because CIDv0 strings and libp2p peer IDs use it
 * bare, without the multibase prefix {@code z}. Each leading zero byte is written as a leading {@code 1}.
 */
public final class Base58 {

    /** The Bitcoin base58 alphabet, digit 0 first. */
    public static final String ALPHABET = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz";

    private static final int[] LOOKUP = BaseCoding.lookup(ALPHABET, false);

    private Base58() {
    }

    /**
     * Encodes bytes as base58btc without any prefix.
     *
     * @param data the bytes
     * @return the text; empty for empty input
     */
    public static String encode(byte[] data) {
        return BaseCoding.encodeRadix(data, ALPHABET);
    }

    /**
     * Decodes base58btc text without any prefix. Decoding cost grows with the square of the length, so callers
     * should bound untrusted input first.
     *
     * @param text the text
     * @return the bytes
     * @throws IpldException if the text contains a character outside the alphabet
     */
    public static byte[] decode(String text) {
        return decode(text, 0);
    }

    static byte[] decode(String text, int from) {
        return BaseCoding.decodeRadix(text, from, 58, LOOKUP, "base58btc");
    }
}
