package dev.atpin.ipld;

import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * One node of an atproto Merkle Search Tree, with its keys already decompressed.
 *
 * <p>Wire format (atproto repository spec, "MST Structure"): {@code {l: Cid|null, e: [{p, k, v, t}]}} where
 * {@code p} is how many bytes a key shares with the previous key of the same node, {@code k} the rest of the key,
 * {@code v} the record CID and {@code t} the subtree to the right of the entry. Decoding checks everything that can
 * be checked within one node: field types, the mandatory (maximal) prefix compression, strictly ascending keys,
 * key size and UTF-8, blessed CIDs for subtree links, and the entry count. Layer and key-range checks need the
 * tree context and happen in {@link Mst}.
 *
 * @param left    the subtree with keys before the first entry, or null
 * @param entries the entries in key order
 */
record MstNode(Cid left, List<Entry> entries) {

    /** The longest key accepted; repo paths are a collection NSID and a record key, far below this. */
    static final int MAX_KEY_BYTES = 1024;
    /**
     * The most entries one node may hold. With a fanout of 4 a node has about 4 entries and more than 100 is
     * already astronomically unlikely for honest keys; the cap only stops mined keys from making huge nodes.
     */
    static final int MAX_ENTRIES = 4096;

    /**
     * One key of the node.
     *
     * @param key   the full key
     * @param value the record CID
     * @param right the subtree between this key and the next one, or null
     */
    record Entry(byte[] key, Cid value, Cid right) {

        String keyString() {
            return new String(key, StandardCharsets.UTF_8);
        }
    }

    MstNode {
        entries = List.copyOf(entries);
    }

    /**
     * Decodes and checks a node block.
     *
     * @throws IpldException if it is not a well-formed node
     */
    static MstNode decode(byte[] block) {
        if (!(DagCbor.decode(block) instanceof Map<?, ?> map)) {
            throw new IpldException("MST node is not a map");
        }
        Cid left = subtree(map, "l");
        if (!(map.get("e") instanceof List<?> rawEntries)) {
            throw new IpldException("MST node has no entry list");
        }
        if (rawEntries.size() > MAX_ENTRIES) {
            throw new IpldException("MST node has " + rawEntries.size() + " entries, more than " + MAX_ENTRIES);
        }
        List<Entry> entries = new ArrayList<>(rawEntries.size());
        byte[] previous = null;
        for (Object raw : rawEntries) {
            if (!(raw instanceof Map<?, ?> entry)) {
                throw new IpldException("MST entry is not a map");
            }
            if (!(entry.get("p") instanceof Long prefix) || prefix < 0) {
                throw new IpldException("MST entry prefix length must be a non-negative integer");
            }
            if (!(entry.get("k") instanceof byte[] suffix)) {
                throw new IpldException("MST entry key suffix must be bytes");
            }
            if (!(entry.get("v") instanceof Cid value)) {
                throw new IpldException("MST entry value must be a link");
            }
            Cid right = subtree(entry, "t");
            byte[] key = key(previous, prefix, suffix);
            entries.add(new Entry(key, value, right));
            previous = key;
        }
        return new MstNode(left, entries);
    }

    private static byte[] key(byte[] previous, long prefix, byte[] suffix) {
        int shared = previous == null ? 0 : previous.length;
        if (prefix > shared) {
            throw new IpldException("MST entry prefix length " + prefix + " is longer than the previous key");
        }
        int p = (int) prefix;
        if (p + suffix.length > MAX_KEY_BYTES) {
            throw new IpldException("MST key longer than " + MAX_KEY_BYTES + " bytes");
        }
        byte[] key = new byte[p + suffix.length];
        if (p > 0) {
            System.arraycopy(previous, 0, key, 0, p);
        }
        System.arraycopy(suffix, 0, key, p, suffix.length);
        if (key.length == 0) {
            throw new IpldException("MST key is empty");
        }
        if (previous != null) {
            // The compression is mandatory and maximal, or one tree would have several encodings.
            if (commonPrefixLength(previous, key) != p) {
                throw new IpldException("MST entry prefix length " + p + " is not the shared prefix length");
            }
            if (Arrays.compareUnsigned(previous, key) >= 0) {
                throw new IpldException("MST keys are not in ascending order");
            }
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(key));
        } catch (CharacterCodingException e) {
            throw new IpldException("MST key is not UTF-8", e);
        }
        return key;
    }

    /** Subtree links must be present (possibly null) and in the blessed format: CIDv1, dag-cbor, sha2-256. */
    private static Cid subtree(Map<?, ?> map, String field) {
        if (!map.containsKey(field)) {
            throw new IpldException("MST node lacks the \"" + field + "\" field");
        }
        Object link = map.get(field);
        if (link == null) {
            return null;
        }
        if (!(link instanceof Cid cid)) {
            throw new IpldException("MST subtree link \"" + field + "\" is not a link");
        }
        if (cid.version() != 1 || cid.codec() != Cid.DAG_CBOR || cid.multihash().code() != Multihash.SHA2_256) {
            throw new IpldException("MST subtree link " + cid + " is not a dag-cbor sha2-256 CIDv1");
        }
        return cid;
    }

    /** The canonical block: the same bytes every implementation produces for this node. */
    byte[] encode() {
        List<Object> wireEntries = new ArrayList<>(entries.size());
        byte[] previous = new byte[0];
        for (Entry entry : entries) {
            int prefix = commonPrefixLength(previous, entry.key());
            Map<String, Object> wire = new LinkedHashMap<>();
            wire.put("k", Arrays.copyOfRange(entry.key(), prefix, entry.key().length));
            wire.put("p", (long) prefix);
            wire.put("t", entry.right());
            wire.put("v", entry.value());
            wireEntries.add(wire);
            previous = entry.key();
        }
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("e", wireEntries);
        node.put("l", left);
        return DagCbor.encode(node);
    }

    static int commonPrefixLength(byte[] a, byte[] b) {
        int mismatch = Arrays.mismatch(a, b);
        return mismatch < 0 ? a.length : mismatch;
    }
}
