package dev.atpin.ipld;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Reads CAR v1 archives (<a href="https://ipld.io/specs/transport/car/carv1/">spec</a>): a varint-prefixed
 * DAG-CBOR header {@code {version: 1, roots: [CID…]}}, then sections of varint length, binary CID and block
 * bytes, until the input ends.
 *
 * <p>Every block is hashed and compared with its CID before it is returned, because the point of a CAR from an
 * untrusted PDS or relay is that its contents are self-certifying; only sha2-256 CIDs can be verified (the only
 * hash atproto uses), any other hash function is refused. Duplicate sections are tolerated (the atproto repo spec
 * requires it) and so are blocks nothing links to. Everything malformed is reported as {@link IpldException}
 * naming the byte offset.
 */
public final class CarReader {

    /** The largest header accepted; a header is a version and a few root CIDs. */
    private static final int MAX_HEADER_BYTES = 64 * 1024;
    /** Room for the CID in front of a block's bytes (a sha2-256 CIDv1 takes 36). */
    private static final int MAX_CID_BYTES = 128;

    /**
     * Bounds on an untrusted archive.
     *
     * @param maxBytes      the largest archive accepted, header included
     * @param maxBlocks     the most sections accepted (duplicates count)
     * @param maxBlockBytes the largest single block accepted (its data, without the CID)
     */
    public record Limits(long maxBytes, int maxBlocks, int maxBlockBytes) {

        /**
         * For whole-repo exports ({@code com.atproto.sync.getRepo}): 1 GiB, 4 million blocks, 2 MiB per block
         * (atproto caps records at 1 MB and MST nodes are small).
         */
        public static final Limits REPO = new Limits(1L << 30, 4_000_000, 2 * 1024 * 1024);

        /**
         * For a firehose {@code #commit}'s {@code blocks}: the spec's hard limit is 2,000,000 bytes with records up
         * to 1,000,000 bytes; a little slack is left for encoding overhead.
         */
        public static final Limits FIREHOSE = new Limits(2_100_000, 20_000, 1_100_000);

        /** Validates the bounds. */
        public Limits {
            if (maxBytes < 1 || maxBlocks < 0 || maxBlockBytes < 0) {
                throw new IllegalArgumentException("limits must not be negative");
            }
        }
    }

    private CarReader() {
    }

    /**
     * Reads and verifies an archive within {@link Limits#REPO}.
     *
     * @param car the archive bytes
     * @return the roots and verified blocks
     * @throws IpldException if the archive is malformed, truncated, exceeds the limits, or a block does not match
     *                       its CID
     */
    public static Car read(byte[] car) {
        return read(car, Limits.REPO);
    }

    /**
     * Reads and verifies an archive.
     *
     * @param car    the archive bytes
     * @param limits bounds on size and block count
     * @return the roots and verified blocks
     * @throws IpldException if the archive is malformed, truncated, exceeds the limits, or a block does not match
     *                       its CID
     */
    public static Car read(byte[] car, Limits limits) {
        Objects.requireNonNull(car, "car");
        Objects.requireNonNull(limits, "limits");
        if (car.length > limits.maxBytes()) {
            throw new IpldException("invalid CAR: " + car.length + " bytes exceed the limit of " + limits.maxBytes());
        }
        try {
            return read(new ByteArrayInputStream(car), limits);
        } catch (IOException e) {
            // A ByteArrayInputStream never fails.
            throw new UncheckedIOException(e);
        }
    }

    /**
     * Reads and verifies an archive from a stream (an HTTP body, say) without buffering more than one block
     * beyond what is returned. The stream is read to its end but not closed.
     *
     * @param in     the archive
     * @param limits bounds on size and block count, checked as the bytes arrive
     * @return the roots and verified blocks
     * @throws IOException   if the stream fails
     * @throws IpldException if the archive is malformed, truncated, exceeds the limits, or a block does not match
     *                       its CID
     */
    public static Car read(InputStream in, Limits limits) throws IOException {
        Objects.requireNonNull(in, "in");
        Objects.requireNonNull(limits, "limits");
        Source source = new Source(in, limits.maxBytes());

        long headerLength = source.varint("header length");
        if (headerLength < 0) {
            throw new IpldException("invalid CAR: empty input");
        }
        if (headerLength == 0 || headerLength > MAX_HEADER_BYTES) {
            throw new IpldException("invalid CAR: header length " + headerLength + " is out of range");
        }
        List<Cid> roots = header(source.bytes((int) headerLength, "header"));

        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        MessageDigest sha256 = sha256();
        int sections = 0;
        while (true) {
            long sectionStart = source.position();
            long length = source.varint("section length");
            if (length < 0) {
                break;
            }
            if (++sections > limits.maxBlocks()) {
                throw new IpldException("invalid CAR: more than " + limits.maxBlocks() + " blocks");
            }
            if (length == 0) {
                throw new IpldException("invalid CAR: empty section at byte " + sectionStart);
            }
            if (length > (long) limits.maxBlockBytes() + MAX_CID_BYTES) {
                throw new IpldException("invalid CAR: section of " + length + " bytes at byte " + sectionStart
                        + " exceeds the block size limit of " + limits.maxBlockBytes());
            }
            byte[] section = source.bytes((int) length, "section at byte " + sectionStart);
            Cid.Read read;
            try {
                read = Cid.readFrom(section, 0);
            } catch (IpldException e) {
                throw new IpldException("invalid CAR: section at byte " + sectionStart + ": " + e.getMessage(), e);
            }
            Cid cid = read.cid();
            int dataLength = section.length - read.length();
            if (dataLength > limits.maxBlockBytes()) {
                throw new IpldException("invalid CAR: block " + cid + " of " + dataLength
                        + " bytes exceeds the block size limit of " + limits.maxBlockBytes());
            }
            verify(cid, sha256, section, read.length(), sectionStart);
            if (!blocks.containsKey(cid)) {
                blocks.put(cid, java.util.Arrays.copyOfRange(section, read.length(), section.length));
            }
        }
        return new Car(roots, blocks);
    }

    private static List<Cid> header(byte[] bytes) {
        Object decoded;
        try {
            decoded = DagCbor.decode(bytes);
        } catch (IpldException e) {
            throw new IpldException("invalid CAR: header: " + e.getMessage(), e);
        }
        if (!(decoded instanceof Map<?, ?> header)) {
            throw new IpldException("invalid CAR: header is not a map");
        }
        Object version = header.get("version");
        if (!Long.valueOf(1).equals(version)) {
            throw new IpldException(Long.valueOf(2).equals(version)
                    ? "invalid CAR: CAR v2 is not supported"
                    : "invalid CAR: header version must be 1, got " + version);
        }
        if (!(header.get("roots") instanceof List<?> roots)) {
            throw new IpldException("invalid CAR: header has no roots list");
        }
        List<Cid> out = new ArrayList<>(roots.size());
        for (Object root : roots) {
            if (!(root instanceof Cid cid)) {
                throw new IpldException("invalid CAR: header roots must be links");
            }
            out.add(cid);
        }
        return out;
    }

    /** Hashes the block in place (no copy) and compares it with the CID's digest. */
    private static void verify(Cid cid, MessageDigest sha256, byte[] section, int dataStart, long sectionStart) {
        Multihash multihash = cid.multihash();
        if (multihash.code() != Multihash.SHA2_256) {
            throw new IpldException("invalid CAR: block " + cid + " at byte " + sectionStart
                    + " uses hash function 0x" + Long.toHexString(multihash.code())
                    + ", which cannot be verified (only sha2-256 is supported)");
        }
        sha256.update(section, dataStart, section.length - dataStart);
        if (!MessageDigest.isEqual(sha256.digest(), multihash.digest())) {
            throw new IpldException("invalid CAR: block at byte " + sectionStart + " does not match its CID " + cid);
        }
    }

    private static MessageDigest sha256() {
        try {
            return MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }

    /** The input with a position and a byte budget. */
    private static final class Source {

        private final InputStream in;
        private final long maxBytes;
        private long position;

        Source(InputStream in, long maxBytes) {
            this.in = in;
            this.maxBytes = maxBytes;
        }

        long position() {
            return position;
        }

        /** Reads a varint; -1 if the input ends cleanly before its first byte. */
        long varint(String what) throws IOException {
            byte[] buffer = new byte[Varint.MAX_LENGTH];
            long start = position;
            for (int i = 0; i < Varint.MAX_LENGTH; i++) {
                int b = in.read();
                if (b < 0) {
                    if (i == 0) {
                        return -1;
                    }
                    throw new IpldException("invalid CAR: truncated " + what + " at byte " + start);
                }
                count(1);
                buffer[i] = (byte) b;
                if ((b & 0x80) == 0) {
                    try {
                        return Varint.decode(java.util.Arrays.copyOf(buffer, i + 1), 0).value();
                    } catch (IpldException e) {
                        throw new IpldException("invalid CAR: " + what + " at byte " + start + ": " + e.getMessage(),
                                e);
                    }
                }
            }
            throw new IpldException("invalid CAR: " + what + " at byte " + start + " is longer than "
                    + Varint.MAX_LENGTH + " bytes");
        }

        byte[] bytes(int length, String what) throws IOException {
            // Check the budget before reading, so a lying length cannot make us wait for or buffer a huge body.
            if (position + length > maxBytes) {
                throw new IpldException("invalid CAR: more than " + maxBytes + " bytes");
            }
            byte[] out = in.readNBytes(length);
            count(out.length);
            if (out.length < length) {
                throw new IpldException("invalid CAR: truncated " + what + " (" + out.length + " of " + length
                        + " bytes)");
            }
            return out;
        }

        private void count(int n) {
            position += n;
            if (position > maxBytes) {
                throw new IpldException("invalid CAR: more than " + maxBytes + " bytes");
            }
        }
    }
}
