package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import org.junit.jupiter.api.Test;

class CarReaderTest {

    private static final HexFormat HEX = HexFormat.of();

    /**
     * Written by Kubo 0.43.0 ({@code ipfs dag export}) for a dag-cbor root {@code {"hello": "world", "link":
     * <raw "hi">, "n": [1, -2]}} followed by the raw block "hi": an archive this code did not produce.
     */
    private static final String KUBO_CAR = "3aa265726f6f747381d82a58250001711220738b0e67bc518a8cf372160fade44da6a4e86"
            + "baee4fdf273e571a308ae4cfeff6776657273696f6e016401711220738b0e67bc518a8cf372160fade44da6a4e86baee4fdf273e5"
            + "71a308ae4cfeffa3616e820121646c696e6bd82a582500015512208f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac8"
            + "8b59b2dc327aa46568656c6c6f65776f726c6426015512208f434346648f6b96df89dda901c5176b10a6d83961dd3c1ac88b59b2"
            + "dc327aa46869";
    private static final Cid KUBO_ROOT = Cid.parse("bafyreidtrmhgppcrrkgpg4qwb6w6itngutugxlxe7xzhhzlrumek4th674");
    private static final Cid KUBO_RAW = Cid.parse("bafkreiepinbumzepnoln7co5vea4kf3lcctnqolb3u6bvsellgznymt2uq");

    @Test
    void readsAnArchiveWrittenByKubo() {
        Car car = CarReader.read(HEX.parseHex(KUBO_CAR));
        assertEquals(List.of(KUBO_ROOT), car.roots());
        assertEquals(Optional.of(KUBO_ROOT), car.firstRoot());
        assertEquals(List.of(KUBO_ROOT, KUBO_RAW), List.copyOf(car.blocks().keySet()));
        assertArrayEquals("hi".getBytes(UTF_8), car.get(KUBO_RAW));
        Map<?, ?> root = (Map<?, ?>) DagCbor.decode(car.get(KUBO_ROOT));
        assertEquals("world", root.get("hello"));
        assertEquals(KUBO_RAW, root.get("link"));
        assertEquals(List.of(1L, -2L), root.get("n"));
    }

    @Test
    void writesTheSameBytesAsKuboForTheSameBlocks() {
        Car car = CarReader.read(HEX.parseHex(KUBO_CAR));
        assertEquals(KUBO_CAR, HEX.formatHex(CarWriter.write(car.roots(), car.blocks())));
    }

    @Test
    void roundTripsBlocksWrittenByCarWriter() {
        CarWriter writer = new CarWriter(List.of());
        Map<Cid, byte[]> expected = new LinkedHashMap<>();
        for (int i = 0; i < 20; i++) {
            Map<String, Object> node = Map.of("i", (long) i, "pad", "x".repeat(i * 50));
            Cid cid = writer.addNode(node);
            expected.put(cid, DagCbor.encode(node));
        }
        byte[] empty = new byte[0];
        Cid emptyRaw = Cid.v1(Cid.RAW, Multihash.sha256(empty));
        writer.add(emptyRaw, empty);
        expected.put(emptyRaw, empty);

        Car car = CarReader.read(writer.toByteArray());
        assertEquals(List.of(), car.roots());
        assertEquals(Optional.empty(), car.firstRoot());
        assertEquals(List.copyOf(expected.keySet()), List.copyOf(car.blocks().keySet()));
        expected.forEach((cid, bytes) -> assertArrayEquals(bytes, car.get(cid)));
    }

    @Test
    void acceptsCidV0BlocksAndMultipleRoots() {
        byte[] data = HEX.parseHex("0a020801");
        Cid v0 = Cid.v0(Multihash.sha256(data));
        Cid other = DagCbor.cid(DagCbor.encode("x"));
        Car car = CarReader.read(new CarWriter(List.of(other, v0)).add(v0, data).toByteArray());
        assertEquals(List.of(other, v0), car.roots());
        assertArrayEquals(data, car.get(v0));
        assertNull(car.get(other), "a root need not be in the archive");
    }

    @Test
    void toleratesDuplicateAndUnlinkedBlocks() {
        byte[] block = DagCbor.encode(Map.of("a", 1L));
        Cid cid = DagCbor.cid(block);
        byte[] stray = DagCbor.encode("stray");
        byte[] archive = new CarWriter(List.of(cid)).add(cid, block).add(DagCbor.cid(stray), stray)
                .add(cid, block).toByteArray();
        Car car = CarReader.read(archive);
        assertEquals(2, car.blocks().size());
        assertEquals(List.of(cid, DagCbor.cid(stray)), List.copyOf(car.blocks().keySet()));
    }

    @Test
    void rejectsABlockThatDoesNotMatchItsCid() {
        byte[] block = DagCbor.encode("real");
        Cid cid = DagCbor.cid(block);
        byte[] archive = new CarWriter(List.of(cid)).add(cid, DagCbor.encode("fake")).toByteArray();
        IpldException e = assertThrows(IpldException.class, () -> CarReader.read(archive));
        assertEquals("invalid CAR: block at byte 59 does not match its CID " + cid, e.getMessage());
    }

    @Test
    void rejectsADuplicateWhoseBytesDifferFromTheFirstCopy() {
        byte[] block = DagCbor.encode("real");
        Cid cid = DagCbor.cid(block);
        byte[] archive = new CarWriter(List.of()).add(cid, block).add(cid, DagCbor.encode("fake")).toByteArray();
        assertTrue(assertThrows(IpldException.class, () -> CarReader.read(archive)).getMessage()
                .contains("does not match its CID"));
    }

    @Test
    void refusesBlocksWhoseHashItCannotVerify() {
        byte[] data = "inline".getBytes(UTF_8);
        Cid identity = Cid.v1(Cid.RAW, new Multihash(Multihash.IDENTITY, data));
        Cid blake3 = Cid.v1(Cid.RAW, new Multihash(0x1e, new byte[32]));
        for (Cid cid : List.of(identity, blake3)) {
            byte[] archive = new CarWriter(List.of()).add(cid, data).toByteArray();
            IpldException e = assertThrows(IpldException.class, () -> CarReader.read(archive));
            assertTrue(e.getMessage().contains("cannot be verified (only sha2-256 is supported)"), e.getMessage());
        }
    }

    @Test
    void explainsTruncationAndGarbage() {
        byte[] archive = HEX.parseHex(KUBO_CAR);
        assertEquals("invalid CAR: empty input", message(new byte[0]));
        assertEquals("invalid CAR: truncated header (10 of 58 bytes)", message(Arrays.copyOf(archive, 11)));
        assertEquals("invalid CAR: truncated section at byte 59 (37 of 100 bytes)",
                message(Arrays.copyOf(archive, 97)));
        assertEquals("invalid CAR: truncated header length at byte 0", message(HEX.parseHex("80")));
        assertEquals("invalid CAR: truncated section length at byte 59",
                message(concat(Arrays.copyOf(archive, 59), HEX.parseHex("80"))));
        assertEquals("invalid CAR: header length 0 is out of range", message(HEX.parseHex("00")));
        assertEquals("invalid CAR: header length at byte 0 is longer than 9 bytes",
                message(HEX.parseHex("ffffffffffffffffff01")));
        assertTrue(message(HEX.parseHex("0201ff")).startsWith("invalid CAR: header: invalid DAG-CBOR"));
        assertEquals("invalid CAR: header is not a map", message(HEX.parseHex("0101")));
        assertEquals("invalid CAR: header version must be 1, got 3", message(header(Map.of("version", 3L,
                "roots", List.of()))));
        assertEquals("invalid CAR: CAR v2 is not supported", message(HEX.parseHex("0aa16776657273696f6e02")));
        assertEquals("invalid CAR: header has no roots list", message(header(Map.of("version", 1L))));
        assertEquals("invalid CAR: header roots must be links", message(header(Map.of("version", 1L,
                "roots", List.of("bafy")))));
        byte[] emptySection = concat(Arrays.copyOf(archive, 59), new byte[1]);
        assertEquals("invalid CAR: empty section at byte 59", message(emptySection));
        byte[] badCid = concat(Arrays.copyOf(archive, 59), HEX.parseHex("0302ffff"));
        assertTrue(message(badCid).startsWith("invalid CAR: section at byte 59: invalid CID"));
    }

    @Test
    void enforcesSizeAndBlockCountLimits() throws IOException {
        byte[] archive = HEX.parseHex(KUBO_CAR);
        assertEquals("invalid CAR: more than 1 blocks",
                message(archive, new CarReader.Limits(1 << 20, 1, 1 << 20)));
        assertEquals("invalid CAR: 199 bytes exceed the limit of 140",
                message(archive, new CarReader.Limits(140, 10, 1 << 20)));
        assertTrue(message(archive, new CarReader.Limits(1 << 20, 10, 50)).contains("exceeds the block size limit"));
        // The stream variant counts as it reads and never waits for a body the budget cannot hold.
        IpldException e = assertThrows(IpldException.class, () -> CarReader.read(
                new ByteArrayInputStream(archive), new CarReader.Limits(100, 10, 1 << 20)));
        assertEquals("invalid CAR: more than 100 bytes", e.getMessage());
        assertEquals(2, CarReader.read(new ByteArrayInputStream(archive), CarReader.Limits.REPO).blocks().size());
        byte[] lyingLength = concat(Arrays.copyOf(archive, 59), Varint.encode(1L << 40));
        assertTrue(message(lyingLength).contains("exceeds the block size limit"));
    }

    @Test
    void onlyIpldExceptionEscapesOnGarbageOrMutatedArchives() {
        Random random = Fuzz.random();
        byte[] archive = HEX.parseHex(KUBO_CAR);
        List<byte[]> seeds = new ArrayList<>(List.of(archive));
        CarWriter writer = new CarWriter(List.of(KUBO_ROOT));
        for (int i = 0; i < 5; i++) {
            writer.addNode(DagCborTest.randomValue(random, 0));
        }
        seeds.add(writer.toByteArray());
        for (int i = 0; i < Fuzz.ROUNDS; i++) {
            byte[] input;
            if (i % 4 == 0) {
                input = Fuzz.randomBytes(random, 80);
            } else {
                input = seeds.get(random.nextInt(seeds.size())).clone();
                int mutations = 1 + random.nextInt(3);
                for (int m = 0; m < mutations; m++) {
                    input[random.nextInt(input.length)] = (byte) random.nextInt(256);
                }
                if (random.nextInt(3) == 0) {
                    input = Arrays.copyOf(input, random.nextInt(input.length + 1));
                }
            }
            byte[] attempt = input;
            Fuzz.onlyIpldException(attempt, () -> CarReader.read(attempt));
        }
    }

    private static String message(byte[] archive) {
        return assertThrows(IpldException.class, () -> CarReader.read(archive)).getMessage();
    }

    private static String message(byte[] archive, CarReader.Limits limits) {
        return assertThrows(IpldException.class, () -> CarReader.read(archive, limits)).getMessage();
    }

    private static byte[] header(Map<String, Object> header) {
        byte[] bytes = DagCbor.encode(header);
        return concat(Varint.encode(bytes.length), bytes);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
