package dev.atpin.ipld;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Record-operation inversion, the check the atproto sync spec asks firehose consumers to make on every
 * {@code #commit}: starting from the new tree (the commit's {@code data}) held partially in the diff's blocks,
 * undo each operation — delete what was created, restore what was updated or deleted — and recompute the root. If
 * the operation list is complete and truthful, the result is the previous tree's root, which must equal the
 * event's {@code prevData} (and the {@code data} of the last commit the consumer verified).
 *
 * <p>Only the nodes on the operations' paths and the ones a merge or split touches are read; a diff that lacks one
 * gives {@link Result.Incomplete}, never an exception.
 */
public final class MstInversion {

    private MstInversion() {
    }

    /**
     * One record operation of a commit.
     *
     * @param path the repo path ({@code collection/rkey})
     * @param cid  the record CID after the commit, or null for a delete
     * @param prev the record CID before the commit, or null for a create
     */
    public record Op(String path, Cid cid, Cid prev) {

        /** Checks that the operation is one of create, update or delete. */
        public Op {
            Objects.requireNonNull(path, "path");
            if (cid == null && prev == null) {
                throw new IllegalArgumentException("an operation needs a new or a previous CID: " + path);
            }
        }

        /**
         * A record created at {@code path}.
         *
         * @param path the repo path
         * @param cid  the new record
         * @return the operation
         */
        public static Op create(String path, Cid cid) {
            return new Op(path, Objects.requireNonNull(cid, "cid"), null);
        }

        /**
         * A record replaced at {@code path}.
         *
         * @param path the repo path
         * @param cid  the new record
         * @param prev the replaced record
         * @return the operation
         */
        public static Op update(String path, Cid cid, Cid prev) {
            return new Op(path, Objects.requireNonNull(cid, "cid"), Objects.requireNonNull(prev, "prev"));
        }

        /**
         * A record deleted at {@code path}.
         *
         * @param path the repo path
         * @param prev the deleted record
         * @return the operation
         */
        public static Op delete(String path, Cid prev) {
            return new Op(path, null, Objects.requireNonNull(prev, "prev"));
        }
    }

    /** The outcome of {@link #invert}. */
    public sealed interface Result {

        /**
         * The operations apply to the tree; undoing them gives this root.
         *
         * @param previousRoot the root of the tree before the commit
         */
        record Inverted(Cid previousRoot) implements Result {
        }

        /**
         * A node that inversion needs is not among the blocks.
         *
         * @param missingBlock the node
         */
        record Incomplete(Cid missingBlock) implements Result {
        }

        /**
         * The tree is malformed or contradicts the operations (a created key that is not in the tree with that CID,
         * a deleted key that still is, the same path twice).
         *
         * @param reason what is wrong
         */
        record Invalid(String reason) implements Result {
        }
    }

    /**
     * Undoes a commit's operations on its tree.
     *
     * @param blocks the commit's blocks (its diff CAR)
     * @param root   the tree after the commit (the commit's {@code data})
     * @param ops    the commit's operations
     * @return the previous root, or why it cannot be computed
     */
    public static Result invert(BlockStore blocks, Cid root, List<Op> ops) {
        Objects.requireNonNull(blocks, "blocks");
        Objects.requireNonNull(root, "root");
        Objects.requireNonNull(ops, "ops");
        MstTree.Expander expander = (stub, low, high) -> {
            Mst.Loaded loaded = Mst.load(blocks, stub.cid(), stub.layer(), low, high);
            return MstTree.items(loaded.node(), loaded.layer());
        };
        try {
            Set<String> seen = new HashSet<>();
            for (Op op : ops) {
                if (!seen.add(op.path())) {
                    return new Result.Invalid("path " + op.path() + " appears in more than one operation");
                }
            }
            Mst.Loaded top = Mst.load(blocks, root, -1, null, null);
            List<MstTree.Item> items = new ArrayList<>(MstTree.items(top.node(), top.layer()));
            for (Op op : ops.reversed()) {
                String problem = undo(items, op, expander);
                if (problem != null) {
                    return new Result.Invalid(problem);
                }
            }
            Cid previous = new MstTree(expander, new HashMap<>()).root(items);
            return new Result.Inverted(previous);
        } catch (MissingBlockException e) {
            return new Result.Incomplete(e.cid());
        } catch (IpldException e) {
            return new Result.Invalid(e.getMessage());
        }
    }

    /** Applies the inverse of one operation; returns a problem description or null. */
    private static String undo(List<MstTree.Item> items, Op op, MstTree.Expander expander) {
        byte[] key = op.path().getBytes(StandardCharsets.UTF_8);
        if (key.length == 0 || key.length > MstNode.MAX_KEY_BYTES) {
            return "invalid path " + op.path();
        }
        int at = locate(items, key, expander);
        MstTree.Leaf present = at >= 0 ? (MstTree.Leaf) items.get(at) : null;
        if (op.cid() != null) {
            // Create or update: the tree after the commit must hold the new record.
            if (present == null) {
                return op.path() + " is not in the tree, but the operation says it is now " + op.cid();
            }
            if (!present.value().equals(op.cid())) {
                return op.path() + " maps to " + present.value() + ", but the operation says " + op.cid();
            }
            if (op.prev() == null) {
                items.remove(at);
            } else {
                items.set(at, new MstTree.Leaf(key, op.prev(), present.depth()));
            }
        } else {
            // Delete: the key must be gone, and comes back with its previous record.
            if (present != null) {
                return op.path() + " is still in the tree, but the operation deletes it";
            }
            items.add(-at - 1, MstTree.Leaf.of(key, op.prev()));
        }
        return null;
    }

    /**
     * Finds a key in the sequence, first expanding any subtree that could hold it. Returns its index, or
     * {@code -(insertion point) - 1} once it is known to be absent.
     */
    private static int locate(List<MstTree.Item> items, byte[] key, MstTree.Expander expander) {
        while (true) {
            int next = items.size();
            for (int i = 0; i < items.size(); i++) {
                if (items.get(i) instanceof MstTree.Leaf leaf && Arrays.compareUnsigned(leaf.key(), key) >= 0) {
                    next = i;
                    break;
                }
            }
            if (next < items.size() && Arrays.equals(((MstTree.Leaf) items.get(next)).key(), key)) {
                return next;
            }
            int previous = next - 1;
            while (previous >= 0 && !(items.get(previous) instanceof MstTree.Leaf)) {
                previous--;
            }
            // Items strictly between the neighbouring leaves are subtrees whose range contains the key.
            if (next - previous == 1) {
                return -next - 1;
            }
            byte[] low = previous >= 0 ? ((MstTree.Leaf) items.get(previous)).key() : null;
            byte[] high = next < items.size() ? ((MstTree.Leaf) items.get(next)).key() : null;
            List<MstTree.Item> expanded = new ArrayList<>();
            for (int i = previous + 1; i < next; i++) {
                expanded.addAll(expander.expand((MstTree.Stub) items.get(i), low, high));
            }
            List<MstTree.Item> gap = items.subList(previous + 1, next);
            gap.clear();
            gap.addAll(expanded);
        }
    }
}
