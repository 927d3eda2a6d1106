package dev.atpin.ipld;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.BiConsumer;

/**
 * Reads the atproto Merkle Search Tree: the key/value map (repo path → record CID) under a commit's {@code data}.
 *
 * <p>Every node read is checked in its tree context as well as on its own (see {@link MstNode}): its layer must
 * be one below its parent's (the root's is the depth of its keys), every key must have the node's depth, keys must
 * fall strictly between the keys that bound the subtree, layer-0 nodes have no subtrees, and only the root of an
 * empty tree may be an empty node without a subtree. A malformed tree is an {@link IpldException}; a node that is
 * simply absent from the store is a {@link MissingBlockException} — or, for {@link #lookup} and {@link #verify},
 * an explicit result, because a firehose diff legitimately holds only part of the tree.
 */
public final class Mst {

    private Mst() {
    }

    /**
     * A key and its value.
     *
     * @param key   the repo path, for example {@code app.bsky.feed.post/3k2…}
     * @param value the record CID
     */
    public record Entry(String key, Cid value) {
    }

    /** What a lookup found; the {@link Incomplete} and {@link Invalid} cases carry why it could not decide. */
    public sealed interface Lookup {

        /**
         * The key is in the tree.
         *
         * @param value the record CID
         */
        record Found(Cid value) implements Lookup {
        }

        /** The key is provably not in the tree. */
        record Absent() implements Lookup {
        }

        /**
         * A node on the key's path is not in the store.
         *
         * @param missingBlock the node that is needed
         */
        record Incomplete(Cid missingBlock) implements Lookup {
        }

        /**
         * A node on the key's path is malformed or breaks the tree's invariants.
         *
         * @param reason what is wrong
         */
        record Invalid(String reason) implements Lookup {
        }
    }

    /** The outcome of checking one record operation against a tree. */
    public enum ProofStatus {
        /** The tree holds exactly what was claimed. */
        VERIFIED,
        /** The tree provably holds something else (another CID, or the key is present/absent contrary to the claim). */
        CONTRADICTED,
        /** A node on the key's path is not in the store, so nothing can be concluded. */
        INCOMPLETE,
        /** The nodes on the key's path are malformed. */
        INVALID
    }

    /**
     * The result of {@link #verify}.
     *
     * @param status       the outcome
     * @param key          the key that was checked
     * @param found        what the tree maps the key to, if it could be determined and is present
     * @param missingBlock for {@link ProofStatus#INCOMPLETE}, the node that is needed; otherwise null
     * @param detail       a sentence for logs
     */
    public record Proof(ProofStatus status, String key, Optional<Cid> found, Cid missingBlock, String detail) {

        /**
         * Whether the claim holds.
         *
         * @return true for {@link ProofStatus#VERIFIED}
         */
        public boolean verified() {
            return status == ProofStatus.VERIFIED;
        }
    }

    /**
     * The depth (layer) of a key: the number of leading zero bits of its SHA-256, divided by two and rounded down
     * — the 2-bit chunks that give atproto's MST a fanout of 4.
     *
     * @param key the key bytes
     * @return 0 to 128
     */
    public static int keyDepth(byte[] key) {
        byte[] hash = sha256(key);
        int zeros = 0;
        for (byte b : hash) {
            if (b == 0) {
                zeros += 8;
                continue;
            }
            zeros += Integer.numberOfLeadingZeros(b & 0xff) - 24;
            break;
        }
        return zeros / 2;
    }

    /**
     * The depth of a repo path, encoded as UTF-8.
     *
     * @param key the key
     * @return 0 to 128
     */
    public static int keyDepth(String key) {
        return keyDepth(key.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Looks a key up, reporting missing or malformed nodes as results rather than exceptions.
     *
     * @param store the blocks
     * @param root  the tree's root node (a commit's {@code data})
     * @param key   the repo path
     * @return what was found
     */
    public static Lookup lookup(BlockStore store, Cid root, String key) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(root, "root");
        byte[] target = key.getBytes(StandardCharsets.UTF_8);
        try {
            Cid cid = root;
            int layer = -1;
            byte[] low = null;
            byte[] high = null;
            while (true) {
                Loaded loaded = load(store, cid, layer, low, high);
                List<MstNode.Entry> entries = loaded.node().entries();
                Cid next = loaded.node().left();
                byte[] nextLow = low;
                byte[] nextHigh = high;
                for (int i = 0; i < entries.size(); i++) {
                    MstNode.Entry entry = entries.get(i);
                    int order = Arrays.compareUnsigned(target, entry.key());
                    if (order == 0) {
                        return new Lookup.Found(entry.value());
                    }
                    if (order < 0) {
                        nextHigh = entry.key();
                        break;
                    }
                    next = entry.right();
                    nextLow = entry.key();
                }
                if (next == null) {
                    return new Lookup.Absent();
                }
                cid = next;
                layer = loaded.layer() - 1;
                low = nextLow;
                high = nextHigh;
            }
        } catch (MissingBlockException e) {
            return new Lookup.Incomplete(e.cid());
        } catch (IpldException e) {
            return new Lookup.Invalid(e.getMessage());
        }
    }

    /**
     * Looks a key up.
     *
     * @param store the blocks
     * @param root  the tree's root node
     * @param key   the repo path
     * @return the record CID, or empty if the key is not in the tree
     * @throws MissingBlockException if a node on the key's path is not in the store
     * @throws IpldException         if a node on the key's path is malformed
     */
    public static Optional<Cid> get(BlockStore store, Cid root, String key) {
        return switch (lookup(store, root, key)) {
            case Lookup.Found found -> Optional.of(found.value());
            case Lookup.Absent absent -> Optional.empty();
            case Lookup.Incomplete incomplete -> throw new MissingBlockException(incomplete.missingBlock(),
                    "MST node on the path to " + key);
            case Lookup.Invalid invalid -> throw new IpldException(invalid.reason());
        };
    }

    /**
     * Checks a record operation's claim against a tree: that {@code key} maps to {@code expected} (a create or
     * update), or that it is absent ({@code expected} null, a delete). The store needs only the nodes on the key's
     * path, which is what a firehose {@code #commit}'s {@code blocks} carry.
     *
     * @param store    the blocks
     * @param root     the tree's root node (the commit's {@code data})
     * @param key      the repo path
     * @param expected the record CID the key must map to, or null if it must be absent
     * @return the verdict; never throws for bad or incomplete data
     */
    public static Proof verify(BlockStore store, Cid root, String key, Cid expected) {
        return switch (lookup(store, root, key)) {
            case Lookup.Found found when found.value().equals(expected) -> new Proof(ProofStatus.VERIFIED, key,
                    Optional.of(found.value()), null, key + " maps to " + expected);
            case Lookup.Found found -> new Proof(ProofStatus.CONTRADICTED, key, Optional.of(found.value()), null,
                    key + " maps to " + found.value() + ", not " + (expected == null ? "absent" : expected));
            case Lookup.Absent absent when expected == null -> new Proof(ProofStatus.VERIFIED, key,
                    Optional.empty(), null, key + " is absent");
            case Lookup.Absent absent -> new Proof(ProofStatus.CONTRADICTED, key, Optional.empty(), null,
                    key + " is absent, not " + expected);
            case Lookup.Incomplete incomplete -> new Proof(ProofStatus.INCOMPLETE, key, Optional.empty(),
                    incomplete.missingBlock(), "proof incomplete: MST node " + incomplete.missingBlock()
                    + " on the path to " + key + " is missing");
            case Lookup.Invalid invalid -> new Proof(ProofStatus.INVALID, key, Optional.empty(), null,
                    invalid.reason());
        };
    }

    /**
     * Visits every entry in key order, checking the whole tree's structure on the way (a full resync).
     *
     * @param store   the blocks; must hold every node (record blocks are not read)
     * @param root    the tree's root node
     * @param visitor called with each key and record CID
     * @throws MissingBlockException if a node is not in the store
     * @throws IpldException         if the tree is malformed
     */
    public static void walk(BlockStore store, Cid root, BiConsumer<String, Cid> visitor) {
        Objects.requireNonNull(store, "store");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(visitor, "visitor");
        walk(store, root, -1, null, null, visitor);
    }

    /**
     * All entries in key order; see {@link #walk}.
     *
     * @param store the blocks
     * @param root  the tree's root node
     * @return the entries
     * @throws MissingBlockException if a node is not in the store
     * @throws IpldException         if the tree is malformed
     */
    public static List<Entry> entries(BlockStore store, Cid root) {
        List<Entry> out = new ArrayList<>();
        walk(store, root, (key, value) -> out.add(new Entry(key, value)));
        return out;
    }

    private static void walk(BlockStore store, Cid cid, int layer, byte[] low, byte[] high,
                             BiConsumer<String, Cid> visitor) {
        Loaded loaded = load(store, cid, layer, low, high);
        MstNode node = loaded.node();
        byte[] previous = low;
        Cid subtree = node.left();
        for (MstNode.Entry entry : node.entries()) {
            if (subtree != null) {
                walk(store, subtree, loaded.layer() - 1, previous, entry.key(), visitor);
            }
            visitor.accept(entry.keyString(), entry.value());
            previous = entry.key();
            subtree = entry.right();
        }
        if (subtree != null) {
            walk(store, subtree, loaded.layer() - 1, previous, high, visitor);
        }
    }

    /** A node with the layer it sits at. */
    record Loaded(MstNode node, int layer) {
    }

    /**
     * Loads a node and checks it in context.
     *
     * @param layer the layer the parent implies, or -1 for the root (whose layer its keys decide)
     * @param low   keys must sort after this (exclusive), or null
     * @param high  keys must sort before this (exclusive), or null
     */
    static Loaded load(BlockStore store, Cid cid, int layer, byte[] low, byte[] high) {
        byte[] block = store.get(cid);
        if (block == null) {
            throw new MissingBlockException(cid, "MST node");
        }
        MstNode node;
        try {
            node = MstNode.decode(block);
        } catch (IpldException e) {
            throw new IpldException("MST node " + cid + ": " + e.getMessage(), e);
        }
        List<MstNode.Entry> entries = node.entries();
        if (layer < 0) {
            if (entries.isEmpty()) {
                if (node.left() != null) {
                    throw new IpldException("MST root " + cid + " is an empty node that only points to a subtree");
                }
                return new Loaded(node, 0);
            }
            layer = keyDepth(entries.getFirst().key());
        } else if (entries.isEmpty() && node.left() == null) {
            throw new IpldException("MST node " + cid + " is empty and has no subtree");
        }
        for (MstNode.Entry entry : entries) {
            int depth = keyDepth(entry.key());
            if (depth != layer) {
                throw new IpldException("MST node " + cid + " at layer " + layer + " holds key "
                        + entry.keyString() + " of depth " + depth);
            }
            if ((low != null && Arrays.compareUnsigned(entry.key(), low) <= 0)
                    || (high != null && Arrays.compareUnsigned(entry.key(), high) >= 0)) {
                throw new IpldException("MST node " + cid + " holds key " + entry.keyString()
                        + " outside the range of its subtree");
            }
            if (layer == 0 && entry.right() != null) {
                throw new IpldException("MST node " + cid + " at layer 0 has a subtree");
            }
        }
        if (layer == 0 && node.left() != null) {
            throw new IpldException("MST node " + cid + " at layer 0 has a subtree");
        }
        return new Loaded(node, layer);
    }

    private static byte[] sha256(byte[] data) {
        try {
            return MessageDigest.getInstance("SHA-256").digest(data);
        } catch (NoSuchAlgorithmException e) {
            // Every Java platform is required to provide SHA-256.
            throw new IllegalStateException("SHA-256 is not available", e);
        }
    }
}
