package dev.atpin.ipld;

import java.util.Arrays;

/**
 * The two families of text encodings multibase uses, written once and parameterized by alphabet.
 *
 * <ul>
 *   <li>Bit-group encodings (base16, base32, base64): every character carries a fixed number of bits.</li>
 *   <li>Radix encodings (base36, base58): the input is one big-endian number written in the target base, with
 *       each leading zero byte written as the alphabet's zero character so that leading zeros survive.</li>
 * </ul>
 *
 * <p>Decoders are strict so that every byte string has exactly one accepted text form per alphabet (apart from
 * letter case in case-insensitive bases): no padding, no impossible lengths, no non-zero spare bits.
 */
final class BaseCoding {

    private BaseCoding() {
    }

    /**
     * Builds a character-to-digit table; -1 marks characters outside the alphabet.
     *
     * @param alphabet        the digits in order
     * @param caseInsensitive whether the other letter case decodes to the same digit
     * @return a table indexed by ASCII code
     */
    static int[] lookup(String alphabet, boolean caseInsensitive) {
        int[] table = new int[128];
        Arrays.fill(table, -1);
        for (int i = 0; i < alphabet.length(); i++) {
            char c = alphabet.charAt(i);
            table[c] = i;
            if (caseInsensitive) {
                table[Character.toUpperCase(c)] = i;
                table[Character.toLowerCase(c)] = i;
            }
        }
        return table;
    }

    /**
     * Encodes bytes with a bit-group alphabet (16, 32 or 64 characters), without padding.
     *
     * @param data     the bytes
     * @param bits     bits per character: 4, 5 or 6
     * @param alphabet the digits in order
     * @return the text
     */
    static String encodeBits(byte[] data, int bits, String alphabet) {
        StringBuilder out = new StringBuilder((data.length * 8 + bits - 1) / bits);
        int mask = (1 << bits) - 1;
        int buffer = 0;
        int count = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            count += 8;
            while (count >= bits) {
                count -= bits;
                out.append(alphabet.charAt((buffer >> count) & mask));
            }
            buffer &= (1 << count) - 1;
        }
        if (count > 0) {
            // The last character carries the remaining bits, left-aligned and zero-filled.
            out.append(alphabet.charAt((buffer << (bits - count)) & mask));
        }
        return out.toString();
    }

    /**
     * Decodes text in a bit-group alphabet, without padding.
     *
     * @param text   the whole string (positions in messages refer to it)
     * @param from   where the payload starts
     * @param bits   bits per character: 4, 5 or 6
     * @param lookup the table from {@link #lookup}
     * @param name   the encoding's name, for messages
     * @return the bytes
     * @throws IpldException on a character outside the alphabet, a length no byte string encodes to, or non-zero
     *                       spare bits in the last character
     */
    static byte[] decodeBits(String text, int from, int bits, int[] lookup, String name) {
        long totalBits = (long) (text.length() - from) * bits;
        byte[] out = new byte[(int) (totalBits / 8)];
        int pos = 0;
        int buffer = 0;
        int count = 0;
        for (int i = from; i < text.length(); i++) {
            int digit = digit(text, i, lookup, name);
            buffer = (buffer << bits) | digit;
            count += bits;
            if (count >= 8) {
                count -= 8;
                out[pos++] = (byte) (buffer >> count);
                buffer &= (1 << count) - 1;
            }
        }
        // A whole unused character means no encoder could have produced this length.
        if (count >= bits) {
            throw new IpldException("invalid " + name + " length " + (text.length() - from));
        }
        // Non-zero spare bits would give the same bytes a second spelling.
        if (buffer != 0) {
            throw new IpldException(name + " string has non-zero trailing bits");
        }
        return out;
    }

    /**
     * Encodes bytes as a big number in the alphabet's base, keeping leading zero bytes as zero characters.
     *
     * @param data     the bytes
     * @param alphabet the digits in order (36 or 58 characters)
     * @return the text
     */
    static String encodeRadix(byte[] data, String alphabet) {
        int base = alphabet.length();
        int zeros = 0;
        while (zeros < data.length && data[zeros] == 0) {
            zeros++;
        }
        // Upper bound on digits: each byte needs log(256)/log(base) digits; +2 absorbs rounding.
        int capacity = (int) ((data.length - zeros) * Math.log(256) / Math.log(base)) + 2;
        int[] digits = new int[capacity]; // little-endian
        int length = 0;
        for (int i = zeros; i < data.length; i++) {
            int carry = data[i] & 0xff;
            for (int j = 0; j < length; j++) {
                carry += digits[j] << 8;
                digits[j] = carry % base;
                carry /= base;
            }
            while (carry > 0) {
                digits[length++] = carry % base;
                carry /= base;
            }
        }
        StringBuilder out = new StringBuilder(zeros + length);
        out.repeat(alphabet.charAt(0), zeros);
        for (int j = length - 1; j >= 0; j--) {
            out.append(alphabet.charAt(digits[j]));
        }
        return out.toString();
    }

    /**
     * Decodes text written by {@link #encodeRadix}.
     *
     * @param text   the whole string (positions in messages refer to it)
     * @param from   where the payload starts
     * @param base   36 or 58
     * @param lookup the table from {@link #lookup}
     * @param name   the encoding's name, for messages
     * @return the bytes
     * @throws IpldException on a character outside the alphabet
     */
    static byte[] decodeRadix(String text, int from, int base, int[] lookup, String name) {
        int start = from;
        while (start < text.length() && digit(text, start, lookup, name) == 0) {
            start++;
        }
        int zeros = start - from;
        // Upper bound on bytes: each digit carries log(base)/log(256) bytes; +2 absorbs rounding.
        int capacity = (int) ((text.length() - start) * Math.log(base) / Math.log(256)) + 2;
        int[] bytes = new int[capacity]; // little-endian
        int length = 0;
        for (int i = start; i < text.length(); i++) {
            int carry = digit(text, i, lookup, name);
            for (int j = 0; j < length; j++) {
                carry += bytes[j] * base;
                bytes[j] = carry & 0xff;
                carry >>= 8;
            }
            while (carry > 0) {
                bytes[length++] = carry & 0xff;
                carry >>= 8;
            }
        }
        byte[] out = new byte[zeros + length];
        for (int j = 0; j < length; j++) {
            out[out.length - 1 - j] = (byte) bytes[j];
        }
        return out;
    }

    private static int digit(String text, int index, int[] lookup, String name) {
        char c = text.charAt(index);
        int digit = c < lookup.length ? lookup[c] : -1;
        if (digit < 0) {
            throw new IpldException("invalid " + name + " character " + describe(c) + " at index " + index);
        }
        return digit;
    }

    /**
     * Renders a character for an error message without echoing control or non-ASCII characters verbatim.
     *
     * @param c the character
     * @return {@code 'x'} for printable ASCII, otherwise {@code U+XXXX}
     */
    static String describe(char c) {
        return c > 0x20 && c < 0x7f ? "'" + c + "'" : String.format("U+%04X", (int) c);
    }
}
