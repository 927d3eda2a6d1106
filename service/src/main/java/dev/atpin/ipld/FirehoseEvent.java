package dev.atpin.ipld;

import java.util.List;
import java.util.Map;

/**
 * The typed payload of a {@code com.atproto.sync.subscribeRepos} message (atproto sync spec, "Repository Event
 * Stream"). Fields the spec marks as deprecated ({@code blobs}, {@code rebase}) are not carried; unknown fields are
 * ignored, as the event-stream spec asks.
 */
public sealed interface FirehoseEvent {

    /**
     * A repository commit with its diff.
     *
     * @param seq      the stream sequence number
     * @param repo     the account's DID
     * @param rev      the commit's revision (must equal the rev inside the commit block)
     * @param since    the rev of the preceding commit the diff is relative to, or null
     * @param commit   the commit block's CID (must be the first root of {@code blocks})
     * @param blocks   the diff as a CAR file
     * @param ops      the record operations
     * @param prevData the previous MST root, or null if the sender did not include it
     * @param time     when the event was emitted (informal)
     * @param tooBig   deprecated; producers send false
     */
    record Commit(long seq, String repo, String rev, String since, Cid commit, byte[] blocks, List<RepoOp> ops,
                  Cid prevData, String time, boolean tooBig) implements FirehoseEvent {

        /** Makes the operation list unmodifiable. */
        public Commit {
            ops = List.copyOf(ops);
        }

        @Override
        public String toString() {
            return "Commit[seq=" + seq + ", repo=" + repo + ", rev=" + rev + ", since=" + since + ", commit=" + commit
                    + ", " + blocks.length + " bytes of blocks, ops=" + ops + ", prevData=" + prevData + "]";
        }
    }

    /**
     * One record operation of a commit.
     *
     * @param action {@code create}, {@code update} or {@code delete}
     * @param path   the repo path, {@code collection/rkey}
     * @param cid    the new record CID; null exactly for deletes
     * @param prev   the previous record CID (updates and deletes), or null if the sender omitted it
     */
    record RepoOp(String action, String path, Cid cid, Cid prev) {

        /**
         * The collection NSID, the part of the path before the slash.
         *
         * @return for example {@code dev.atpin.pin}
         */
        public String collection() {
            int slash = path.indexOf('/');
            return slash < 0 ? path : path.substring(0, slash);
        }

        /**
         * The record key, the part of the path after the slash.
         *
         * @return the rkey, or an empty string if the path has no slash
         */
        public String rkey() {
            int slash = path.indexOf('/');
            return slash < 0 ? "" : path.substring(slash + 1);
        }

        /**
         * This operation in the form {@link MstInversion} undoes.
         *
         * @return the inversion operation
         * @throws IpldException if an update or delete lacks {@code prev}, without which it cannot be undone
         */
        public MstInversion.Op toInversionOp() {
            if (!action.equals("create") && prev == null) {
                throw new IpldException(action + " of " + path + " has no prev, so it cannot be inverted");
            }
            return new MstInversion.Op(path, cid, action.equals("create") ? null : prev);
        }
    }

    /**
     * The current commit of a repository, asserted without a diff (after a reset, say); a consumer whose state
     * differs must resync from {@code getRepo}.
     *
     * @param seq    the stream sequence number
     * @param did    the account's DID
     * @param rev    the commit's revision
     * @param blocks a CAR holding the commit block as its first root
     * @param time   when the event was emitted
     */
    record Sync(long seq, String did, String rev, byte[] blocks, String time) implements FirehoseEvent {
    }

    /**
     * The account's identity (DID document or handle) may have changed.
     *
     * @param seq    the stream sequence number
     * @param did    the account's DID
     * @param time   when the event was emitted
     * @param handle the current handle if the sender included it, or null
     */
    record Identity(long seq, String did, String time, String handle) implements FirehoseEvent {
    }

    /**
     * The account's hosting status at the sender.
     *
     * @param seq    the stream sequence number
     * @param did    the account's DID
     * @param time   when the event was emitted
     * @param active whether the repo can be fetched from the sender
     * @param status why it is inactive ({@code takendown}, {@code suspended}, {@code deleted},
     *               {@code deactivated}, …), or null
     */
    record Account(long seq, String did, String time, boolean active, String status) implements FirehoseEvent {
    }

    /**
     * Informational message from the server, for example {@code OutdatedCursor}.
     *
     * @param name    the message name
     * @param message a description, or null
     */
    record Info(String name, String message) implements FirehoseEvent {
    }

    /**
     * An error frame; the server closes the stream after it.
     *
     * @param error   the error name, for example {@code FutureCursor} or {@code ConsumerTooSlow}
     * @param message a description, or null
     */
    record Error(String error, String message) implements FirehoseEvent {
    }

    /**
     * A message type this code does not know; the spec says to ignore it.
     *
     * @param type the header's {@code t}, or null for an unknown {@code op}
     * @param body the decoded payload
     */
    record Unknown(String type, Map<String, Object> body) implements FirehoseEvent {
    }
}
