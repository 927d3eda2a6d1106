package dev.atpin.ipld;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * A possibly partial MST held as one key-ordered sequence of leaves and opaque subtrees ("stubs"), and the
 * construction of canonical nodes from it.
 *
 * <p>The shape of an MST is a pure function of its keys, so a tree can be rebuilt from the sequence: the keys of
 * the highest depth form the top node, the runs between them become subtrees one layer down, and so on. A stub is
 * a subtree whose contents were never loaded; it can be reused by CID exactly when it ends up alone in a run at its
 * own layer (its contents did not change and nothing joined its range). Otherwise the build needs its node and
 * expands it through the {@link Expander}, which is how a partial tree (a firehose diff) reveals which blocks an
 * edit needs. Without stubs this is plain tree construction ({@link MstBuilder}).
 */
final class MstTree {

    /** An element of the sequence. */
    sealed interface Item permits Leaf, Stub {
    }

    /**
     * A key and its value.
     *
     * @param key   the key bytes
     * @param value the record CID
     * @param depth {@link Mst#keyDepth(byte[])} of the key
     */
    record Leaf(byte[] key, Cid value, int depth) implements Item {

        static Leaf of(byte[] key, Cid value) {
            return new Leaf(key, value, Mst.keyDepth(key));
        }
    }

    /**
     * An unloaded subtree.
     *
     * @param cid   its root node
     * @param layer the layer of that node
     */
    record Stub(Cid cid, int layer) implements Item {
    }

    /** Loads a stub's node; {@code low}/{@code high} bound the keys it may hold (null: unbounded). */
    @FunctionalInterface
    interface Expander {
        List<Item> expand(Stub stub, byte[] low, byte[] high);
    }

    /** For trees without stubs. */
    static final Expander NO_STUBS = (stub, low, high) -> {
        throw new IllegalStateException("no blocks to expand " + stub.cid());
    };

    private final Expander expander;
    private final Map<Cid, byte[]> out;

    /**
     * @param expander loads stubs when the build needs their contents
     * @param out      receives every node block the build creates
     */
    MstTree(Expander expander, Map<Cid, byte[]> out) {
        this.expander = expander;
        this.out = out;
    }

    /** Expands a loaded node into the sequence elements it stands for. */
    static List<Item> items(MstNode node, int layer) {
        List<Item> items = new ArrayList<>(node.entries().size() * 2 + 1);
        if (node.left() != null) {
            items.add(new Stub(node.left(), layer - 1));
        }
        for (MstNode.Entry entry : node.entries()) {
            items.add(new Leaf(entry.key(), entry.value(), layer));
            if (entry.right() != null) {
                items.add(new Stub(entry.right(), layer - 1));
            }
        }
        return items;
    }

    /**
     * Builds the tree for a whole sequence and returns its root; an empty sequence gives the empty node, the one
     * allowed empty root.
     */
    Cid root(List<Item> sequence) {
        List<Item> items = new ArrayList<>(sequence);
        while (true) {
            if (items.isEmpty()) {
                return store(new MstNode(null, List.of()));
            }
            int top = -1;
            boolean leafOnTop = false;
            for (Item item : items) {
                int level = level(item);
                if (level > top) {
                    top = level;
                    leafOnTop = false;
                }
                if (level == top && item instanceof Leaf) {
                    leafOnTop = true;
                }
            }
            if (leafOnTop) {
                return node(items, top, null, null);
            }
            // Only subtrees reach the top layer. The root must hold keys (an empty node pointing down is trimmed),
            // and which keys are highest is only known by looking inside: expand them all and look again.
            items = expandAll(items, top, null, null);
        }
    }

    /** Builds the node at {@code layer} for a run of items that lies strictly between {@code low} and {@code high}. */
    private Cid node(List<Item> run, int layer, byte[] low, byte[] high) {
        List<Item> items = run;
        while (true) {
            if (items.size() == 1 && items.getFirst() instanceof Stub stub && stub.layer() == layer) {
                return stub.cid();
            }
            boolean expand = false;
            for (Item item : items) {
                if (item instanceof Stub stub && stub.layer() >= layer) {
                    expand = true;
                    break;
                }
            }
            if (!expand) {
                break;
            }
            items = expandAll(items, layer, low, high);
        }

        // The keys of this layer become the node's entries; each run between them becomes a subtree.
        Cid left = null;
        List<MstNode.Entry> entries = new ArrayList<>();
        byte[] runLow = low;
        int runStart = 0;
        for (int i = 0; i < items.size(); i++) {
            if (!(items.get(i) instanceof Leaf leaf) || leaf.depth() < layer) {
                continue;
            }
            if (leaf.depth() > layer) {
                // Impossible for sequences that come from valid trees; guards against a bad caller.
                throw new IllegalStateException("key of depth " + leaf.depth() + " inside layer " + layer);
            }
            Cid subtree = subtree(items.subList(runStart, i), layer, runLow, leaf.key());
            if (entries.isEmpty()) {
                left = subtree;
            } else {
                attachRight(entries, subtree);
            }
            entries.add(new MstNode.Entry(leaf.key(), leaf.value(), null));
            runLow = leaf.key();
            runStart = i + 1;
        }
        Cid tail = subtree(items.subList(runStart, items.size()), layer, runLow, high);
        if (entries.isEmpty()) {
            left = tail;
        } else {
            attachRight(entries, tail);
        }
        return store(new MstNode(left, entries));
    }

    private Cid subtree(List<Item> run, int layer, byte[] low, byte[] high) {
        if (run.isEmpty()) {
            return null;
        }
        if (layer == 0) {
            throw new IllegalStateException("subtree below layer 0");
        }
        return node(run, layer - 1, low, high);
    }

    private static void attachRight(List<MstNode.Entry> entries, Cid subtree) {
        MstNode.Entry last = entries.removeLast();
        entries.add(new MstNode.Entry(last.key(), last.value(), subtree));
    }

    /** Replaces every stub at {@code layer} or above by its contents. */
    private List<Item> expandAll(List<Item> items, int layer, byte[] low, byte[] high) {
        List<Item> expanded = new ArrayList<>(items.size() + 8);
        for (int i = 0; i < items.size(); i++) {
            Item item = items.get(i);
            if (item instanceof Stub stub && stub.layer() >= layer) {
                expanded.addAll(expander.expand(stub, neighbour(items, i, -1, low), neighbour(items, i, 1, high)));
            } else {
                expanded.add(item);
            }
        }
        return expanded;
    }

    /** The nearest leaf key on one side of position {@code i}, or the run's bound. */
    static byte[] neighbour(List<Item> items, int i, int step, byte[] bound) {
        for (int j = i + step; j >= 0 && j < items.size(); j += step) {
            if (items.get(j) instanceof Leaf leaf) {
                return leaf.key();
            }
        }
        return bound;
    }

    private static int level(Item item) {
        return switch (item) {
            case Leaf leaf -> leaf.depth();
            case Stub stub -> stub.layer();
        };
    }

    private Cid store(MstNode node) {
        byte[] block = node.encode();
        Cid cid = DagCbor.cid(block);
        out.put(cid, block);
        return cid;
    }

    /** Sorts by key bytes (the MST order), rejecting duplicates. */
    static void sortLeaves(List<Leaf> leaves) {
        leaves.sort((a, b) -> Arrays.compareUnsigned(a.key(), b.key()));
        for (int i = 1; i < leaves.size(); i++) {
            if (Arrays.equals(leaves.get(i - 1).key(), leaves.get(i).key())) {
                throw new IllegalArgumentException("duplicate key");
            }
        }
    }
}
