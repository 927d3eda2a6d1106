package dev.atpin.ipld;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * The self-contained checks of a firehose {@code #commit} or {@code #sync} event: everything the sync spec's
 * validation checklist asks that needs only the event itself.
 *
 * <p>Checked: the {@code blocks} CAR (every block's hash, the firehose size limits), that its first root is the
 * event's {@code commit}, that the commit block is there and is a valid v3 commit for the event's {@code repo} and
 * {@code rev}, that every operation is proven by the MST in the blocks (creates and updates map the path to the
 * new CID, deletes leave it absent), and — when the event carries {@code prevData} — that inverting the operations
 * gives exactly {@code prevData}, which is what shows the operation list is complete.
 *
 * <p>Left to the caller, because they need state or the network: the commit signature against the DID document's
 * current key ({@link RepoCommit#unsignedBytes()} and {@link RepoCommit#sig()} of {@link Result#commit()}), that
 * {@code since} and {@code prevData} match the last verified commit, that {@code rev} grows and is not in the
 * future, and the account's status.
 */
public final class CommitVerification {

    /** The most record operations one commit may carry (sync spec, "#commit Events"). */
    public static final int MAX_OPS = 200;

    private CommitVerification() {
    }

    /** The verdict. */
    public enum Status {
        /** Every check passed. */
        VALID,
        /** The blocks lack a node that a proof or the inversion needs; nothing can be concluded. */
        INCOMPLETE,
        /** The event is malformed or contradicts itself. */
        INVALID
    }

    /**
     * The outcome.
     *
     * @param status   the verdict
     * @param detail   a sentence for logs
     * @param commit   the decoded commit, whose signature the caller must still check; null if it could not be
     *                 decoded
     * @param blocks   the verified blocks; null if the CAR was invalid
     * @param inverted whether the operations were inverted against {@code prevData} (false when the event has no
     *                 {@code prevData}, so completeness of the operation list is unproven)
     */
    public record Result(Status status, String detail, RepoCommit commit, Car blocks, boolean inverted) {

        /**
         * Whether every check passed.
         *
         * @return true for {@link Status#VALID}
         */
        public boolean valid() {
            return status == Status.VALID;
        }
    }

    /**
     * Checks a {@code #commit} event.
     *
     * @param event the event
     * @return the verdict; never throws for bad data
     */
    public static Result verify(FirehoseEvent.Commit event) {
        Objects.requireNonNull(event, "event");
        Opened opened = open(event.blocks(), event.commit(), event.repo(), event.rev());
        if (opened.failure() != null) {
            return opened.failure();
        }
        RepoCommit commit = opened.commit();
        Car car = opened.car();
        if (event.ops().size() > MAX_OPS) {
            return invalid("more than " + MAX_OPS + " operations", commit, car);
        }
        List<MstInversion.Op> inversion = new ArrayList<>(event.ops().size());
        for (FirehoseEvent.RepoOp op : event.ops()) {
            Mst.Proof proof = Mst.verify(car, commit.data(), op.path(), op.cid());
            switch (proof.status()) {
                case VERIFIED -> {
                }
                case INCOMPLETE -> {
                    return new Result(Status.INCOMPLETE, op.action() + " " + op.path() + ": " + proof.detail(),
                            commit, car, false);
                }
                default -> {
                    return invalid(op.action() + " " + op.path() + ": " + proof.detail(), commit, car);
                }
            }
            if (event.prevData() != null) {
                try {
                    inversion.add(op.toInversionOp());
                } catch (IpldException e) {
                    return invalid(e.getMessage(), commit, car);
                }
            }
        }
        if (event.prevData() == null) {
            return new Result(Status.VALID, "operations proven; no prevData, so not inverted", commit, car, false);
        }
        return switch (MstInversion.invert(car, commit.data(), inversion)) {
            case MstInversion.Result.Inverted inverted when inverted.previousRoot().equals(event.prevData()) ->
                    new Result(Status.VALID, "operations proven and inverted to prevData", commit, car, true);
            case MstInversion.Result.Inverted inverted -> invalid("inverting the operations gives "
                    + inverted.previousRoot() + ", not prevData " + event.prevData(), commit, car);
            case MstInversion.Result.Incomplete incomplete -> new Result(Status.INCOMPLETE,
                    "inversion needs MST node " + incomplete.missingBlock() + ", which the blocks lack", commit, car,
                    false);
            case MstInversion.Result.Invalid bad -> invalid("inversion: " + bad.reason(), commit, car);
        };
    }

    /**
     * Checks a {@code #sync} event: its CAR and that the commit it holds belongs to the event's account and rev.
     * The commit CID the event asserts is the CAR's first root.
     *
     * @param event the event
     * @return the verdict; never throws for bad data
     */
    public static Result verify(FirehoseEvent.Sync event) {
        Objects.requireNonNull(event, "event");
        Opened opened = open(event.blocks(), null, event.did(), event.rev());
        if (opened.failure() != null) {
            return opened.failure();
        }
        return new Result(Status.VALID, "commit block matches the event", opened.commit(), opened.car(), false);
    }

    private record Opened(Car car, RepoCommit commit, Result failure) {
    }

    private static Opened open(byte[] blocks, Cid expectedCommit, String did, String rev) {
        Car car;
        try {
            car = CarReader.read(blocks, CarReader.Limits.FIREHOSE);
        } catch (IpldException e) {
            return new Opened(null, null, invalid("blocks: " + e.getMessage(), null, null));
        }
        if (car.roots().isEmpty()) {
            return new Opened(car, null, invalid("blocks CAR has no root", null, car));
        }
        Cid root = car.roots().getFirst();
        if (expectedCommit != null && !root.equals(expectedCommit)) {
            return new Opened(car, null, invalid("blocks CAR root " + root + " is not the event's commit "
                    + expectedCommit, null, car));
        }
        byte[] block = car.get(root);
        if (block == null) {
            return new Opened(car, null, invalid("blocks lack the commit block " + root, null, car));
        }
        RepoCommit commit;
        try {
            commit = RepoCommit.decode(block);
        } catch (IpldException e) {
            return new Opened(car, null, invalid(e.getMessage(), null, car));
        }
        if (!commit.did().equals(did)) {
            return new Opened(car, commit, invalid("commit is for " + commit.did() + ", event for " + did, commit,
                    car));
        }
        if (!commit.rev().equals(rev)) {
            return new Opened(car, commit, invalid("commit rev " + commit.rev() + " differs from event rev " + rev,
                    commit, car));
        }
        return new Opened(car, commit, null);
    }

    private static Result invalid(String detail, RepoCommit commit, Car car) {
        return new Result(Status.INVALID, detail, commit, car, false);
    }
}
