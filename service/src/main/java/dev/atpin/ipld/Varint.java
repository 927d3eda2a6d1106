package dev.atpin.ipld;

/**
 * The multiformats unsigned varint: unsigned LEB128, 7 bits per byte, least significant group first, high bit
 * set on every byte but the last.
 *
 * <p>The multiformats spec caps varints at 9 bytes (63 bits), which is exactly what fits in a non-negative Java
 * {@code long}, so values are represented as {@code long} without any unsigned arithmetic. Decoding is strict: a
 * value must use its shortest encoding, because CIDs and multihashes are compared byte-wise and a padded varint
 * would give one value two binary forms.
 */
public final class Varint {

    /** The longest varint the multiformats spec allows: 9 bytes carry 63 bits. */
    public static final int MAX_LENGTH = 9;

    private Varint() {
    }

    /**
     * A decoded varint.
     *
     * @param value  the value, never negative
     * @param length how many bytes the encoding took, 1 to {@value #MAX_LENGTH}
     */
    public record Decoded(long value, int length) {
    }

    /**
     * Decodes the varint starting at {@code offset}.
     *
     * @param buf    the bytes to read
     * @param offset where the varint starts
     * @return the value and the number of bytes it occupied
     * @throws IpldException if the offset is outside the buffer, the varint is truncated, longer than 9 bytes or
     *                       not minimally encoded
     */
    public static Decoded decode(byte[] buf, int offset) {
        if (buf == null || offset < 0 || offset >= buf.length) {
            throw new IpldException("varint expected at offset " + offset + " but the input ends there");
        }
        long value = 0;
        for (int i = 0; i < MAX_LENGTH; i++) {
            int at = offset + i;
            if (at >= buf.length) {
                throw new IpldException("truncated varint at offset " + offset);
            }
            int b = buf[at] & 0xff;
            value |= (long) (b & 0x7f) << (7 * i);
            if ((b & 0x80) == 0) {
                // A zero final group after other groups means the same value had a shorter encoding.
                if (b == 0 && i > 0) {
                    throw new IpldException("varint at offset " + offset + " is not minimally encoded");
                }
                return new Decoded(value, i + 1);
            }
        }
        throw new IpldException("varint at offset " + offset + " is longer than " + MAX_LENGTH + " bytes");
    }

    /**
     * Decodes the varint starting at {@code offset} and returns only its value; use {@link #decode} when the
     * number of bytes consumed matters.
     *
     * @param buf    the bytes to read
     * @param offset where the varint starts
     * @return the value
     * @throws IpldException as {@link #decode}
     */
    public static long read(byte[] buf, int offset) {
        return decode(buf, offset).value();
    }

    /**
     * Encodes a value in its minimal varint form.
     *
     * @param value a non-negative value
     * @return 1 to 9 bytes
     * @throws IpldException if the value is negative (it would need a 10th byte, which the spec forbids)
     */
    public static byte[] encode(long value) {
        byte[] out = new byte[size(value)];
        long rest = value;
        for (int i = 0; i < out.length - 1; i++) {
            out[i] = (byte) ((rest & 0x7f) | 0x80);
            rest >>>= 7;
        }
        out[out.length - 1] = (byte) rest;
        return out;
    }

    /**
     * The number of bytes {@link #encode} produces for a value.
     *
     * @param value a non-negative value
     * @return 1 to 9
     * @throws IpldException if the value is negative
     */
    public static int size(long value) {
        if (value < 0) {
            throw new IpldException("varint value must not be negative: " + value);
        }
        int bits = 64 - Long.numberOfLeadingZeros(value);
        return Math.max(1, (bits + 6) / 7);
    }
}
