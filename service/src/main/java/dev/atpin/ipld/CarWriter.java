package dev.atpin.ipld;

import java.io.ByteArrayOutputStream;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Writes CAR v1 archives in memory: the header, then one section per {@link #add} in call order.
 *
 * <p>It writes exactly what it is given and checks nothing against the CIDs, so that tests can also build
 * archives with wrong or duplicate blocks; {@link CarReader} is where verification happens.
 */
public final class CarWriter {

    private final ByteArrayOutputStream out = new ByteArrayOutputStream();

    /**
     * Starts an archive.
     *
     * @param roots the header roots, in order (for atproto, the commit first); may be empty
     */
    public CarWriter(List<Cid> roots) {
        Objects.requireNonNull(roots, "roots");
        byte[] header = DagCbor.encode(Map.of("version", 1L, "roots", List.copyOf(roots)));
        out.writeBytes(Varint.encode(header.length));
        out.writeBytes(header);
    }

    /**
     * Writes an archive with the given blocks in the map's iteration order.
     *
     * @param roots  the header roots
     * @param blocks the blocks by CID
     * @return the archive bytes
     */
    public static byte[] write(List<Cid> roots, Map<Cid, byte[]> blocks) {
        CarWriter writer = new CarWriter(roots);
        blocks.forEach(writer::add);
        return writer.toByteArray();
    }

    /**
     * Appends a section.
     *
     * @param cid  the CID to write in front of the block
     * @param data the block bytes
     * @return this writer
     */
    public CarWriter add(Cid cid, byte[] data) {
        byte[] cidBytes = cid.bytes();
        out.writeBytes(Varint.encode((long) cidBytes.length + data.length));
        out.writeBytes(cidBytes);
        out.writeBytes(data);
        return this;
    }

    /**
     * Encodes a value as DAG-CBOR and appends it under its dag-cbor sha2-256 CID.
     *
     * @param value the node
     * @return the node's CID
     */
    public Cid addNode(Object value) {
        byte[] bytes = DagCbor.encode(value);
        Cid cid = DagCbor.cid(bytes);
        add(cid, bytes);
        return cid;
    }

    /**
     * The archive written so far.
     *
     * @return a copy of the bytes
     */
    public byte[] toByteArray() {
        return out.toByteArray();
    }
}
