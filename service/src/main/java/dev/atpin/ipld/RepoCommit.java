package dev.atpin.ipld;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * A version 3 atproto repository commit: {@code {did, version: 3, data, rev, prev, sig}}.
 *
 * <p>The signature covers the SHA-256 of {@link #unsignedBytes()}: the canonical DAG-CBOR of the commit map
 * without {@code sig}. Fields this class does not know are kept and stay part of the signed bytes, so a future
 * optional field does not break verification. Checking the signature itself needs the DID document's key and
 * happens elsewhere.
 *
 * <p>Decoding is strict about what the repository spec requires: a DID, version 3, a TID {@code rev}, {@code data}
 * (and a non-null {@code prev}) in the blessed CID format, and a non-empty signature. A missing {@code prev} is
 * accepted as null, because older writers omitted it and its absence is covered by the signature anyway.
 */
public final class RepoCommit {

    /** The repo format version this class reads. */
    public static final int VERSION = 3;

    private static final Pattern DID = Pattern.compile("did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]");
    private static final Pattern TID = Pattern.compile("[234567abcdefghij][234567abcdefghijklmnopqrstuvwxyz]{12}");
    private static final int MAX_DID_LENGTH = 2048;
    private static final int MAX_SIGNATURE_BYTES = 512;

    private final Map<String, Object> fields;
    private final byte[] block;

    private RepoCommit(Map<String, Object> fields, byte[] block) {
        this.fields = Collections.unmodifiableMap(fields);
        this.block = block;
    }

    /**
     * Decodes and checks a commit block.
     *
     * @param block the commit's DAG-CBOR bytes (from a CAR or a firehose diff)
     * @return the commit
     * @throws IpldException if the block is not a valid signed v3 commit; the message starts with "invalid commit: "
     */
    public static RepoCommit decode(byte[] block) {
        Objects.requireNonNull(block, "block");
        Object decoded;
        try {
            decoded = DagCbor.decode(block);
        } catch (IpldException e) {
            throw new IpldException("invalid commit: " + e.getMessage(), e);
        }
        if (!(decoded instanceof Map<?, ?> map)) {
            throw invalid("not a map");
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>) map);
        if (!(fields.get("sig") instanceof byte[] sig) || sig.length == 0 || sig.length > MAX_SIGNATURE_BYTES) {
            throw invalid("sig must be a non-empty byte string");
        }
        check(fields);
        return new RepoCommit(fields, block.clone());
    }

    /**
     * Creates an unsigned commit, whose {@link #unsignedBytes()} are then signed and attached with {@link #sign}.
     *
     * @param did  the repo's DID
     * @param data the MST root
     * @param rev  the revision, a TID
     * @param prev the previous commit, almost always null
     * @return the unsigned commit
     * @throws IpldException if a field is invalid
     */
    public static RepoCommit unsigned(String did, Cid data, String rev, Cid prev) {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("did", did);
        fields.put("version", (long) VERSION);
        fields.put("data", data);
        fields.put("rev", rev);
        fields.put("prev", prev);
        check(fields);
        return new RepoCommit(fields, null);
    }

    /**
     * Attaches a signature.
     *
     * @param sig the signature over SHA-256 of {@link #unsignedBytes()} (for atproto: 64 bytes, r‖s, low-S)
     * @return a signed copy
     */
    public RepoCommit sign(byte[] sig) {
        if (sig == null || sig.length == 0 || sig.length > MAX_SIGNATURE_BYTES) {
            throw new IllegalArgumentException("signature must be 1 to " + MAX_SIGNATURE_BYTES + " bytes");
        }
        Map<String, Object> signed = new LinkedHashMap<>(fields);
        signed.put("sig", sig.clone());
        return new RepoCommit(signed, null);
    }

    private static void check(Map<String, Object> fields) {
        if (!(fields.get("did") instanceof String did) || did.length() > MAX_DID_LENGTH
                || !DID.matcher(did).matches()) {
            throw invalid("did must be a DID");
        }
        if (!Long.valueOf(VERSION).equals(fields.get("version"))) {
            throw invalid("version must be " + VERSION + ", got " + fields.get("version"));
        }
        if (!(fields.get("data") instanceof Cid data) || !blessed(data)) {
            throw invalid("data must be a dag-cbor sha2-256 CIDv1 link");
        }
        if (!(fields.get("rev") instanceof String rev) || !TID.matcher(rev).matches()) {
            throw invalid("rev must be a TID");
        }
        Object prev = fields.get("prev");
        if (prev != null && !(prev instanceof Cid cid && blessed(cid))) {
            throw invalid("prev must be null or a dag-cbor sha2-256 CIDv1 link");
        }
    }

    private static boolean blessed(Cid cid) {
        return cid.version() == 1 && cid.codec() == Cid.DAG_CBOR && cid.multihash().code() == Multihash.SHA2_256;
    }

    private static IpldException invalid(String what) {
        return new IpldException("invalid commit: " + what);
    }

    /**
     * The repo's DID.
     *
     * @return for example {@code did:plc:…}
     */
    public String did() {
        return (String) fields.get("did");
    }

    /**
     * The repo format version.
     *
     * @return always {@value #VERSION}
     */
    public int version() {
        return VERSION;
    }

    /**
     * The root of the record tree.
     *
     * @return the MST root CID
     */
    public Cid data() {
        return (Cid) fields.get("data");
    }

    /**
     * The revision, a TID that must grow with every commit.
     *
     * @return the rev
     */
    public String rev() {
        return (String) fields.get("rev");
    }

    /**
     * The previous commit, a v2 leftover.
     *
     * @return the CID, or null (the usual case)
     */
    public Cid prev() {
        return (Cid) fields.get("prev");
    }

    /**
     * Whether a signature is attached.
     *
     * @return false only for commits made with {@link #unsigned}
     */
    public boolean isSigned() {
        return fields.containsKey("sig");
    }

    /**
     * The signature.
     *
     * @return a copy of the raw signature bytes
     * @throws IllegalStateException if the commit is unsigned
     */
    public byte[] sig() {
        if (!isSigned()) {
            throw new IllegalStateException("commit is not signed");
        }
        return ((byte[]) fields.get("sig")).clone();
    }

    /**
     * All fields as decoded, unknown ones included.
     *
     * @return an unmodifiable map
     */
    public Map<String, Object> fields() {
        return fields;
    }

    /**
     * The bytes the signature covers (after SHA-256): canonical DAG-CBOR of every field except {@code sig}.
     *
     * @return the encoded unsigned commit
     */
    public byte[] unsignedBytes() {
        Map<String, Object> unsigned = new LinkedHashMap<>(fields);
        unsigned.remove("sig");
        return DagCbor.encode(unsigned);
    }

    /**
     * SHA-256 of {@link #unsignedBytes()}, the digest the signing key signed (for verifiers that take a digest).
     *
     * @return 32 bytes
     */
    public byte[] unsignedSha256() {
        return Multihash.sha256(unsignedBytes()).digest();
    }

    /**
     * The commit block: the bytes it was decoded from, or the canonical encoding of a commit built here.
     *
     * @return the signed commit's bytes
     * @throws IllegalStateException if the commit is unsigned
     */
    public byte[] block() {
        if (!isSigned()) {
            throw new IllegalStateException("commit is not signed");
        }
        return block != null ? block.clone() : DagCbor.encode(fields);
    }

    /**
     * The commit's CID, the hash of {@link #block()}.
     *
     * @return a dag-cbor sha2-256 CIDv1
     */
    public Cid cid() {
        return DagCbor.cid(block());
    }

    @Override
    public String toString() {
        return "RepoCommit[did=" + did() + ", rev=" + rev() + ", data=" + data() + (isSigned() ? "" : ", unsigned")
                + "]";
    }
}
