package dev.atpin.ipld;

import java.io.ByteArrayOutputStream;
import java.util.Objects;

/**
 * A content identifier, version 0 or 1, as defined by the multiformats CID specification.
 *
 * <ul>
 *   <li>CIDv0 is a bare SHA2-256 multihash; its text form is that multihash in base58btc ("Qm…", 46 characters)
 *       and its codec is implicitly dag-pb.</li>
 *   <li>CIDv1 is {@code <varint version=1><varint codec><multihash>}, written in any multibase; base32 lowercase
 *       ("b…") is canonical.</li>
 * </ul>
 *
 * <p>{@link #equals} follows the binary form, so a CIDv0 and the CIDv1 with the same multihash are different
 * objects; {@link #normalized()} maps both to the same string and is what the service stores and matches on.
 * Instances are immutable.
 */
public final class Cid {

    /** Multicodec of dag-pb, the UnixFS node format and the implicit codec of CIDv0. */
    public static final long DAG_PB = 0x70;
    /** Multicodec of raw bytes (UnixFS leaves, single blocks). */
    public static final long RAW = 0x55;
    /** Multicodec of dag-cbor. */
    public static final long DAG_CBOR = 0x71;
    /** Multicodec of libp2p public keys, used when a peer ID is written as a CID. */
    public static final long LIBP2P_KEY = 0x72;

    /**
     * The longest CID text {@link #parse} accepts. A sha2-256 CIDv1 in base32 is 59 characters; the bound leaves
     * room for long inline (identity) CIDs while capping the quadratic cost of base58/base36 decoding.
     */
    public static final int MAX_TEXT_LENGTH = 512;

    private static final int V0_TEXT_LENGTH = 46;
    private static final int V0_BINARY_LENGTH = 2 + Multihash.SHA2_256_LENGTH;

    private final int version;
    private final long codec;
    private final Multihash multihash;

    private Cid(int version, long codec, Multihash multihash) {
        this.version = version;
        this.codec = codec;
        this.multihash = multihash;
    }

    /**
     * A CID together with the number of bytes its binary form took in the input it was read from.
     *
     * @param cid    the CID
     * @param length bytes consumed
     */
    public record Read(Cid cid, int length) {
    }

    /**
     * Creates a CIDv0.
     *
     * @param multihash a SHA2-256 multihash
     * @return the CID
     * @throws IpldException if the multihash is not SHA2-256, which CIDv0 cannot express
     */
    public static Cid v0(Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (multihash.code() != Multihash.SHA2_256) {
            throw new IpldException("CIDv0 requires a sha2-256 multihash, got code 0x"
                    + Long.toHexString(multihash.code()));
        }
        return new Cid(0, DAG_PB, multihash);
    }

    /**
     * Creates a CIDv1.
     *
     * @param codec     the multicodec of the content, for example {@link #RAW}
     * @param multihash the hash of the content
     * @return the CID
     * @throws IpldException if the codec is negative
     */
    public static Cid v1(long codec, Multihash multihash) {
        Objects.requireNonNull(multihash, "multihash");
        if (codec < 0) {
            throw new IpldException("CID codec must not be negative: " + codec);
        }
        return new Cid(1, codec, multihash);
    }

    /**
     * Parses the text form of a CID: a CIDv0 ("Qm…", 46 characters of base58btc) or a CIDv1 in any multibase
     * that {@link Multibase} supports.
     *
     * @param text the CID text, without surrounding whitespace
     * @return the CID
     * @throws IpldException for any malformed input (the only exception this method throws); the message starts
     *                       with "invalid CID: " and says what is wrong
     */
    public static Cid parse(String text) {
        try {
            return parseText(text);
        } catch (IpldException e) {
            throw new IpldException("invalid CID: " + e.getMessage(), e);
        }
    }

    /**
     * Tells whether {@link #parse} would accept the text.
     *
     * @param text the candidate, may be null
     * @return true if it is a valid CID
     */
    public static boolean isValid(String text) {
        try {
            parseText(text);
            return true;
        } catch (IpldException e) {
            return false;
        }
    }

    private static Cid parseText(String text) {
        if (text == null || text.isEmpty()) {
            throw new IpldException("empty");
        }
        if (text.length() > MAX_TEXT_LENGTH) {
            throw new IpldException("too long (" + text.length() + " characters, at most " + MAX_TEXT_LENGTH + ")");
        }
        if (text.startsWith("Qm")) {
            // "Q" is no multibase prefix, so this can only be meant as CIDv0.
            if (text.length() != V0_TEXT_LENGTH) {
                throw new IpldException("CIDv0 must be " + V0_TEXT_LENGTH + " characters, got " + text.length());
            }
            byte[] bytes;
            try {
                bytes = Base58.decode(text);
            } catch (IpldException e) {
                throw new IpldException("CIDv0 is not valid base58btc: " + e.getMessage(), e);
            }
            if (bytes.length != V0_BINARY_LENGTH || bytes[0] != Multihash.SHA2_256
                    || bytes[1] != Multihash.SHA2_256_LENGTH) {
                throw new IpldException("CIDv0 must be a 34-byte sha2-256 multihash");
            }
            return decodeExactly(bytes);
        }
        byte[] bytes;
        try {
            bytes = Multibase.decode(text);
        } catch (IpldException e) {
            throw new IpldException("not a valid multibase string: " + e.getMessage(), e);
        }
        if (bytes.length == 0) {
            throw new IpldException("empty");
        }
        if (bytes[0] == Multihash.SHA2_256) {
            // The spec reserves version 18 (0x12) forever so that a multibase-encoded CIDv0 is never ambiguous.
            throw new IpldException("CIDv0 must not be multibase-encoded");
        }
        return decodeExactly(bytes);
    }

    /**
     * Decodes a binary CID that fills the whole array: a 34-byte SHA2-256 multihash (CIDv0) or a CIDv1.
     *
     * @param bytes the binary CID
     * @return the CID
     * @throws IpldException if the bytes are not exactly one valid CID; the message starts with "invalid CID: "
     */
    public static Cid decode(byte[] bytes) {
        try {
            return decodeExactly(bytes);
        } catch (IpldException e) {
            throw new IpldException("invalid CID: " + e.getMessage(), e);
        }
    }

    private static Cid decodeExactly(byte[] bytes) {
        Read read = read(bytes, 0);
        int trailing = bytes.length - read.length();
        if (trailing != 0) {
            throw new IpldException(trailing + (trailing == 1 ? " trailing byte" : " trailing bytes")
                    + " after the CID");
        }
        return read.cid();
    }

    /**
     * Reads the binary CID that starts at {@code offset} and may be followed by other data, as in CAR files.
     *
     * @param bytes  the input
     * @param offset where the CID starts
     * @return the CID and the number of bytes it took
     * @throws IpldException if no valid CID starts there; the message starts with "invalid CID: "
     */
    public static Read readFrom(byte[] bytes, int offset) {
        try {
            return read(bytes, offset);
        } catch (IpldException e) {
            throw new IpldException("invalid CID: " + e.getMessage(), e);
        }
    }

    private static Read read(byte[] bytes, int offset) {
        if (bytes == null || offset < 0 || offset >= bytes.length) {
            throw new IpldException("empty");
        }
        if (bytes[offset] == Multihash.SHA2_256) {
            // 0x12 can never be a CID version, so it starts a bare CIDv0 multihash.
            Multihash multihash = Multihash.decode(bytes, offset);
            if (multihash.encodedLength() != V0_BINARY_LENGTH) {
                throw new IpldException("CIDv0 must be a 34-byte sha2-256 multihash");
            }
            return new Read(v0(multihash), V0_BINARY_LENGTH);
        }
        Varint.Decoded version = Varint.decode(bytes, offset);
        if (version.value() != 1) {
            throw new IpldException(version.value() == 0
                    ? "CID version 0 is only valid as a bare sha2-256 multihash"
                    : "unsupported CID version " + version.value());
        }
        Varint.Decoded codec = Varint.decode(bytes, offset + version.length());
        int multihashStart = offset + version.length() + codec.length();
        Multihash multihash = Multihash.decode(bytes, multihashStart);
        return new Read(new Cid(1, codec.value(), multihash), multihashStart - offset + multihash.encodedLength());
    }

    /**
     * The CID version.
     *
     * @return 0 or 1
     */
    public int version() {
        return version;
    }

    /**
     * The multicodec of the content; always {@link #DAG_PB} for CIDv0.
     *
     * @return the codec
     */
    public long codec() {
        return codec;
    }

    /**
     * The hash of the content.
     *
     * @return the multihash
     */
    public Multihash multihash() {
        return multihash;
    }

    /**
     * The binary form: the bare multihash for CIDv0, version-codec-multihash for CIDv1.
     *
     * @return a new array
     */
    public byte[] bytes() {
        if (version == 0) {
            return multihash.bytes();
        }
        ByteArrayOutputStream out = new ByteArrayOutputStream(4 + multihash.encodedLength());
        out.writeBytes(Varint.encode(version));
        out.writeBytes(Varint.encode(codec));
        out.writeBytes(multihash.bytes());
        return out.toByteArray();
    }

    /**
     * The CIDv1 for the same content: CIDv0 becomes dag-pb CIDv1 with the same multihash; a CIDv1 is returned
     * as is.
     *
     * @return a CIDv1
     */
    public Cid toV1() {
        return version == 1 ? this : new Cid(1, DAG_PB, multihash);
    }

    /**
     * The key the service stores and matches on: the base32 CIDv1 text of {@link #toV1()}, so that the v0 and
     * v1 spellings of one content address compare equal.
     *
     * @return for example {@code bafybei…}
     */
    public String normalized() {
        return toV1().toString();
    }

    /**
     * The text form in a chosen base. CIDv0 has only its bare base58btc form.
     *
     * @param base the multibase to write a CIDv1 in
     * @return the CID text
     * @throws IpldException if this is a CIDv0 and the base is not base58btc
     */
    public String toString(Multibase.Base base) {
        if (version == 0) {
            if (base != Multibase.Base.BASE58BTC) {
                throw new IpldException("CIDv0 can only be written in base58btc; use toV1() for other bases");
            }
            return Base58.encode(multihash.bytes());
        }
        return Multibase.encode(base, bytes());
    }

    /**
     * The canonical text form: base58btc "Qm…" for CIDv0, base32 lowercase "b…" for CIDv1.
     *
     * @return the CID text
     */
    @Override
    public String toString() {
        return toString(version == 0 ? Multibase.Base.BASE58BTC : Multibase.Base.BASE32);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Cid that
                && version == that.version && codec == that.codec && multihash.equals(that.multihash);
    }

    @Override
    public int hashCode() {
        return Objects.hash(version, codec, multihash);
    }
}
