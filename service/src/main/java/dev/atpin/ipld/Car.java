package dev.atpin.ipld;

import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * The contents of a CAR v1 file: its header roots and its blocks, every one of which {@link CarReader} has
 * checked against its CID.
 *
 * <p>The block arrays are shared, not copied; treat them as read-only.
 *
 * @param roots  the header's roots, in order (atproto puts the commit first); may be empty
 * @param blocks the distinct blocks in file order (a duplicate section keeps its first position)
 */
public record Car(List<Cid> roots, Map<Cid, byte[]> blocks) implements BlockStore {

    /** Copies the lists into unmodifiable ones. */
    public Car {
        roots = List.copyOf(roots);
        blocks = Collections.unmodifiableMap(new LinkedHashMap<>(Objects.requireNonNull(blocks, "blocks")));
    }

    /**
     * The first root, which atproto defines as the commit (of a repo export or a firehose diff).
     *
     * @return the first root, or empty if the header has none
     */
    public Optional<Cid> firstRoot() {
        return roots.isEmpty() ? Optional.empty() : Optional.of(roots.getFirst());
    }

    @Override
    public byte[] get(Cid cid) {
        return blocks.get(cid);
    }

    @Override
    public String toString() {
        return "Car[roots=" + roots + ", " + blocks.size() + " blocks]";
    }
}
