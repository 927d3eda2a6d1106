package dev.atpin.ipld;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Builds the canonical atproto MST for a set of keys: the same root CID any conforming implementation computes for
 * the same key/value pairs, whatever the order they were inserted in. Used to produce repos and CARs in tests and
 * to recompute a tree's root.
 */
public final class MstBuilder {

    private final Map<String, Cid> entries = new LinkedHashMap<>();

    /** Starts with no keys; an empty builder builds the empty tree. */
    public MstBuilder() {
    }

    /**
     * The tree that was built.
     *
     * @param root   the root node's CID (a commit's {@code data})
     * @param blocks every node block, root included; record blocks are not part of the tree
     */
    public record Built(Cid root, Map<Cid, byte[]> blocks) implements BlockStore {

        /** Makes the block map unmodifiable. */
        public Built {
            blocks = Collections.unmodifiableMap(new LinkedHashMap<>(blocks));
        }

        @Override
        public byte[] get(Cid cid) {
            return blocks.get(cid);
        }
    }

    /**
     * Adds or replaces a key.
     *
     * @param key   the repo path; non-empty, at most 1024 bytes of UTF-8
     * @param value the record CID
     * @return this builder
     * @throws IllegalArgumentException if the key is empty, too long or not valid Unicode
     */
    public MstBuilder put(String key, Cid value) {
        Objects.requireNonNull(value, "value");
        keyBytes(key);
        entries.put(key, value);
        return this;
    }

    /**
     * Removes a key if present.
     *
     * @param key the repo path
     * @return this builder
     */
    public MstBuilder remove(String key) {
        entries.remove(key);
        return this;
    }

    /**
     * Builds the tree of the current keys.
     *
     * @return the root and the node blocks
     */
    public Built build() {
        return build(entries);
    }

    /**
     * Builds the tree of a key/value map (any iteration order).
     *
     * @param entries repo paths and their record CIDs
     * @return the root and the node blocks
     * @throws IllegalArgumentException if a key is empty, too long or not valid Unicode
     */
    public static Built build(Map<String, Cid> entries) {
        List<MstTree.Leaf> leaves = new ArrayList<>(entries.size());
        entries.forEach((key, value) -> {
            leaves.add(MstTree.Leaf.of(keyBytes(key), Objects.requireNonNull(value, "value")));
        });
        MstTree.sortLeaves(leaves);
        Map<Cid, byte[]> blocks = new LinkedHashMap<>();
        Cid root = new MstTree(MstTree.NO_STUBS, blocks).root(new ArrayList<>(leaves));
        return new Built(root, blocks);
    }

    /** Keys are UTF-8 bytes; a lone surrogate has no UTF-8 form and would silently become '?'. */
    private static byte[] keyBytes(String key) {
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length == 0 || bytes.length > MstNode.MAX_KEY_BYTES) {
            throw new IllegalArgumentException("MST keys must be 1 to " + MstNode.MAX_KEY_BYTES + " bytes: " + key);
        }
        if (!new String(bytes, StandardCharsets.UTF_8).equals(key)) {
            throw new IllegalArgumentException("MST key is not valid Unicode: " + key);
        }
        return bytes;
    }
}
