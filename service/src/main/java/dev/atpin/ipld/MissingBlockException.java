package dev.atpin.ipld;

import java.io.Serial;

/**
 * A block needed to follow a link is not in the {@link BlockStore}: the data may be fine but is incomplete (a
 * firehose diff that lacks a node, a partial CAR).
 */
public class MissingBlockException extends IpldException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final transient Cid cid;

    /**
     * Creates the exception.
     *
     * @param cid  the block that is missing
     * @param what what the block was needed for
     */
    public MissingBlockException(Cid cid, String what) {
        super("missing block " + cid + " (" + what + ")");
        this.cid = cid;
    }

    /**
     * The missing block.
     *
     * @return its CID
     */
    public Cid cid() {
        return cid;
    }
}
