package dev.atpin.ipld;

/**
 * Multibase: a text encoding of bytes whose first character names the base, so a reader needs no out-of-band
 * agreement on the encoding.
 *
 * <p>Supported prefixes: {@code b}/{@code B} base32 (RFC 4648, no padding), {@code z} base58btc, {@code k}/
 * {@code K} base36, {@code f}/{@code F} base16, {@code m} base64 and {@code u} base64url (both without padding).
 * Base32, base36 and base16 are case-insensitive, so mixed-case payloads decode as the multibase spec's
 * case-insensitivity vectors require; the encoder always writes the lowercase form.
 */
public final class Multibase {

    /** The bases this class writes; each maps to its lowercase multibase prefix. */
    public enum Base {
        /** RFC 4648 base32, lowercase, no padding; prefix {@code b}. The canonical base for CIDv1. */
        BASE32('b', "base32"),
        /** Bitcoin base58; prefix {@code z}. */
        BASE58BTC('z', "base58btc"),
        /** Base36 lowercase; prefix {@code k}. Used for IPNS keys because it fits in a DNS label. */
        BASE36('k', "base36"),
        /** Hexadecimal lowercase; prefix {@code f}. */
        BASE16('f', "base16"),
        /** RFC 4648 base64, no padding; prefix {@code m}. */
        BASE64('m', "base64"),
        /** RFC 4648 URL-safe base64, no padding; prefix {@code u}. */
        BASE64URL('u', "base64url");

        private final char prefix;
        private final String specName;

        Base(char prefix, String specName) {
            this.prefix = prefix;
            this.specName = specName;
        }

        /**
         * The multibase prefix character this base is written with.
         *
         * @return the lowercase prefix
         */
        public char prefix() {
            return prefix;
        }

        /**
         * The name the multibase table uses for this base.
         *
         * @return for example {@code base58btc}
         */
        public String specName() {
            return specName;
        }
    }

    private static final String BASE32_ALPHABET = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String BASE36_ALPHABET = "0123456789abcdefghijklmnopqrstuvwxyz";
    private static final String BASE16_ALPHABET = "0123456789abcdef";
    private static final String BASE64_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    private static final String BASE64URL_ALPHABET =
            "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

    private static final int[] BASE32_LOOKUP = BaseCoding.lookup(BASE32_ALPHABET, true);
    private static final int[] BASE36_LOOKUP = BaseCoding.lookup(BASE36_ALPHABET, true);
    private static final int[] BASE16_LOOKUP = BaseCoding.lookup(BASE16_ALPHABET, true);
    private static final int[] BASE64_LOOKUP = BaseCoding.lookup(BASE64_ALPHABET, false);
    private static final int[] BASE64URL_LOOKUP = BaseCoding.lookup(BASE64URL_ALPHABET, false);

    private Multibase() {
    }

    /**
     * Encodes bytes in the given base, prefix included.
     *
     * @param base the base to write
     * @param data the bytes
     * @return the multibase string, for example {@code bpfsxgidnmfxgsibb}
     */
    public static String encode(Base base, byte[] data) {
        String payload = switch (base) {
            case BASE32 -> BaseCoding.encodeBits(data, 5, BASE32_ALPHABET);
            case BASE58BTC -> Base58.encode(data);
            case BASE36 -> BaseCoding.encodeRadix(data, BASE36_ALPHABET);
            case BASE16 -> BaseCoding.encodeBits(data, 4, BASE16_ALPHABET);
            case BASE64 -> BaseCoding.encodeBits(data, 6, BASE64_ALPHABET);
            case BASE64URL -> BaseCoding.encodeBits(data, 6, BASE64URL_ALPHABET);
        };
        return base.prefix() + payload;
    }

    /**
     * Decodes a multibase string. Decoding base36 and base58 costs time quadratic in the length, so callers
     * should bound untrusted input first.
     *
     * @param text the multibase string, prefix included
     * @return the bytes (empty if the string is only a prefix)
     * @throws IpldException if the string is empty, its prefix is unsupported or the payload is not valid in
     *                       that base
     */
    public static byte[] decode(String text) {
        if (text == null || text.isEmpty()) {
            throw new IpldException("empty multibase string");
        }
        char prefix = text.charAt(0);
        return switch (prefix) {
            case 'b', 'B' -> BaseCoding.decodeBits(text, 1, 5, BASE32_LOOKUP, "base32");
            case 'z' -> Base58.decode(text, 1);
            case 'k', 'K' -> BaseCoding.decodeRadix(text, 1, 36, BASE36_LOOKUP, "base36");
            case 'f', 'F' -> BaseCoding.decodeBits(text, 1, 4, BASE16_LOOKUP, "base16");
            case 'm' -> BaseCoding.decodeBits(text, 1, 6, BASE64_LOOKUP, "base64");
            case 'u' -> BaseCoding.decodeBits(text, 1, 6, BASE64URL_LOOKUP, "base64url");
            default -> throw new IpldException("unsupported multibase prefix " + BaseCoding.describe(prefix));
        };
    }
}
