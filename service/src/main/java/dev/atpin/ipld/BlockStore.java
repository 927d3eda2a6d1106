package dev.atpin.ipld;

import java.util.Map;
import java.util.Objects;

/**
 * Read access to blocks by CID: a CAR's contents, a firehose commit's {@code blocks}, or a database later.
 *
 * <p>Implementations return the stored bytes without copying; callers must not modify them.
 */
@FunctionalInterface
public interface BlockStore {

    /**
     * Looks a block up.
     *
     * @param cid the block's CID (compared by {@link Cid#equals}, so CIDv0 and CIDv1 are different keys)
     * @return the block's bytes, or null if this store does not hold it
     */
    byte[] get(Cid cid);

    /**
     * A store backed by a map.
     *
     * @param blocks the blocks by CID
     * @return a view of the map
     */
    static BlockStore of(Map<Cid, byte[]> blocks) {
        Objects.requireNonNull(blocks, "blocks");
        return blocks::get;
    }
}
