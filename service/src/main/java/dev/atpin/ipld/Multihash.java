package dev.atpin.ipld;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.Objects;

/**
 * A self-describing hash: {@code <varint hash function code><varint digest length><digest>}.
 *
 * <p>The record holds a private copy of the digest and hands out copies, so instances are immutable and safe to
 * use as map keys; equality compares the digest contents, not the array identity.
 *
 * @param code   the multicodec code of the hash function, for example {@link #SHA2_256}
 * @param digest the hash function output
 */
public record Multihash(long code, byte[] digest) {

    /** The identity "hash": the digest is the data itself (used by short libp2p peer IDs and inline CIDs). */
    public static final long IDENTITY = 0x00;
    /** SHA2-256, the hash of CIDv0 and of almost every CID in IPFS. */
    public static final long SHA2_256 = 0x12;
    /** The digest length SHA2-256 always has; a shorter one would be a truncation the CID spec does not allow. */
    public static final int SHA2_256_LENGTH = 32;

    /**
     * Validates and copies the digest.
     *
     * @throws IpldException if the code is negative or a SHA2-256 digest is not 32 bytes
     */
    public Multihash {
        Objects.requireNonNull(digest, "digest");
        if (code < 0) {
            throw new IpldException("multihash code must not be negative: " + code);
        }
        if (code == SHA2_256 && digest.length != SHA2_256_LENGTH) {
            throw new IpldException("sha2-256 multihash digest must be 32 bytes, got " + digest.length);
        }
        digest = digest.clone();
    }

    /**
     * Hashes data with SHA2-256.
     *
     * @param data the data
     * @return the {@code 0x12} multihash of the data
     */
    public static Multihash sha256(byte[] data) {
        try {
            return new Multihash(SHA2_256, MessageDigest.getInstance("SHA-256").digest(data));
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /**
     * Decodes the multihash at {@code offset}; bytes after it are left for the caller (use
     * {@link #encodedLength()} to skip it).
     *
     * @param bytes  the input
     * @param offset where the multihash starts
     * @return the multihash
     * @throws IpldException if a varint is malformed, the input ends before the declared digest length, or the
     *                       digest length is wrong for the hash function
     */
    public static Multihash decode(byte[] bytes, int offset) {
        Varint.Decoded code = Varint.decode(bytes, offset);
        Varint.Decoded length = Varint.decode(bytes, offset + code.length());
        int digestStart = offset + code.length() + length.length();
        long available = bytes.length - digestStart;
        if (length.value() > available) {
            throw new IpldException("multihash digest length mismatch: declares " + length.value()
                    + " bytes but only " + available + " follow");
        }
        byte[] digest = Arrays.copyOfRange(bytes, digestStart, digestStart + (int) length.value());
        return new Multihash(code.value(), digest);
    }

    /**
     * Decodes a byte array that holds exactly one multihash.
     *
     * @param bytes the input
     * @return the multihash
     * @throws IpldException as {@link #decode(byte[], int)}, or if bytes follow the digest
     */
    public static Multihash decode(byte[] bytes) {
        Multihash multihash = decode(bytes, 0);
        int trailing = bytes.length - multihash.encodedLength();
        if (trailing != 0) {
            throw new IpldException("multihash digest length mismatch: " + trailing + " bytes follow the digest");
        }
        return multihash;
    }

    /**
     * A copy of the digest.
     *
     * @return the hash function output
     */
    @Override
    public byte[] digest() {
        return digest.clone();
    }

    /**
     * The size of the binary form.
     *
     * @return the number of bytes {@link #bytes()} returns
     */
    public int encodedLength() {
        return Varint.size(code) + Varint.size(digest.length) + digest.length;
    }

    /**
     * The binary form: code, length, digest.
     *
     * @return a new array
     */
    public byte[] bytes() {
        byte[] codeBytes = Varint.encode(code);
        byte[] lengthBytes = Varint.encode(digest.length);
        byte[] out = new byte[codeBytes.length + lengthBytes.length + digest.length];
        System.arraycopy(codeBytes, 0, out, 0, codeBytes.length);
        System.arraycopy(lengthBytes, 0, out, codeBytes.length, lengthBytes.length);
        System.arraycopy(digest, 0, out, codeBytes.length + lengthBytes.length, digest.length);
        return out;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Multihash that && code == that.code && Arrays.equals(digest, that.digest);
    }

    @Override
    public int hashCode() {
        return 31 * Long.hashCode(code) + Arrays.hashCode(digest);
    }

    @Override
    public String toString() {
        String name = code == SHA2_256 ? "sha2-256" : code == IDENTITY ? "identity" : "0x" + Long.toHexString(code);
        return name + ":" + HexFormat.of().formatHex(digest);
    }
}
