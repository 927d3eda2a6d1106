package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Random;
import org.junit.jupiter.api.Test;

class FirehoseFrameTest {

    private static final String DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    private static final Cid CID = Cid.parse("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454");

    @Test
    void decodesACommitFrameIntoItsHeaderAndTypedEvent() {
        TestRepo repo = new TestRepo(DID);
        TestRepo.Committed committed = repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/a",
                TestRepo.pin("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "a"))), 42);
        byte[] message = TestRepo.frame(committed.event());
        // The header a PDS writes: {t: "#commit", op: 1} in canonical key order.
        assertEquals("a2617467" + "23636f6d6d6974" + "626f7001",
                HexFormat.of().formatHex(message, 0, 15));

        FirehoseFrame frame = FirehoseFrame.parse(message);
        assertEquals(new FirehoseFrame.Header(1, "#commit"), frame.header());
        assertTrue(frame.header().isMessage());
        assertEquals(DID, frame.did());
        assertEquals(OptionalLong.of(42), frame.seq());

        FirehoseEvent.Commit event = assertInstanceOf(FirehoseEvent.Commit.class, frame.event());
        FirehoseEvent.Commit sent = committed.event();
        assertEquals(sent.seq(), event.seq());
        assertEquals(sent.repo(), event.repo());
        assertEquals(sent.rev(), event.rev());
        assertEquals(sent.since(), event.since());
        assertEquals(sent.commit(), event.commit());
        assertArrayEquals(sent.blocks(), event.blocks());
        assertEquals(sent.ops(), event.ops());
        assertEquals(sent.prevData(), event.prevData());
        assertEquals("dev.atpin.pin", event.ops().getFirst().collection());
        assertEquals("a", event.ops().getFirst().rkey());
        assertFalse(event.tooBig());
        assertEquals(42L, frame.body().get("seq"));
    }

    @Test
    void readsTheDidAndSeqWithoutDecodingTheRestOfThePayload() {
        // The payload's later fields are invalid DAG-CBOR (undefined, a bignum tag): the cheap look never reaches
        // them, the full decode refuses them.
        ByteArrayOutputStream body = new ByteArrayOutputStream();
        body.write(0xa4);
        body.writeBytes(DagCbor.encode("repo"));
        body.writeBytes(DagCbor.encode(DID));
        body.writeBytes(DagCbor.encode("seq"));
        body.writeBytes(DagCbor.encode(7L));
        body.writeBytes(DagCbor.encode("x"));
        body.write(0xf7);
        body.writeBytes(DagCbor.encode("y"));
        body.writeBytes(HexFormat.of().parseHex("c249010000000000000000"));
        byte[] header = DagCbor.encode(Map.of("op", 1L, "t", "#commit"));
        byte[] message = concat(header, body.toByteArray());

        FirehoseFrame frame = FirehoseFrame.parse(message);
        assertEquals(DID, frame.did());
        assertEquals(OptionalLong.of(7), frame.seq());
        IpldException e = assertThrows(IpldException.class, frame::body);
        assertTrue(e.getMessage().startsWith("invalid frame payload: invalid DAG-CBOR"), e.getMessage());
    }

    @Test
    void skipsTheBlocksBytesWhenLookingForTheDid() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("blocks", new byte[1_000_000]);
        body.put("did", DID);
        body.put("seq", 3L);
        FirehoseFrame frame = FirehoseFrame.parse(TestRepo.frame(Map.of("op", 1L, "t", "#sync"), body));
        assertEquals(DID, frame.did());
        assertEquals(OptionalLong.of(3), frame.seq());
    }

    @Test
    void decodesTheOtherEventTypes() {
        Map<String, Object> identity = new LinkedHashMap<>(Map.of("seq", 1L, "did", DID, "time", "t"));
        identity.put("handle", "alice.test");
        assertEquals(new FirehoseEvent.Identity(1, DID, "t", "alice.test"), event("#identity", identity));

        Map<String, Object> account = new LinkedHashMap<>(Map.of("seq", 2L, "did", DID, "time", "t", "active", false));
        account.put("status", "deleted");
        assertEquals(new FirehoseEvent.Account(2, DID, "t", false, "deleted"), event("#account", account));
        assertEquals(new FirehoseEvent.Account(2, DID, "t", true, null),
                event("#account", Map.of("seq", 2L, "did", DID, "time", "t", "active", true)));

        byte[] blocks = new CarWriter(List.of(CID)).toByteArray();
        FirehoseEvent.Sync sync = assertInstanceOf(FirehoseEvent.Sync.class, event("#sync",
                Map.of("seq", 3L, "did", DID, "time", "t", "rev", "3k67up3j7hf2x", "blocks", blocks)));
        assertEquals("3k67up3j7hf2x", sync.rev());
        assertArrayEquals(blocks, sync.blocks());

        assertEquals(new FirehoseEvent.Info("OutdatedCursor", null), event("#info", Map.of("name", "OutdatedCursor")));
        FirehoseFrame info = FirehoseFrame.parse(TestRepo.frame(Map.of("op", 1L, "t", "#info"),
                Map.of("name", "OutdatedCursor")));
        assertNull(info.did());
        assertEquals(OptionalLong.empty(), info.seq());

        Map<String, Object> labels = Map.of("seq", 9L, "labels", List.of());
        FirehoseEvent.Unknown unknown = assertInstanceOf(FirehoseEvent.Unknown.class, event("#labels", labels));
        assertEquals("#labels", unknown.type());
        assertEquals(labels, unknown.body());
    }

    @Test
    void decodesErrorFramesAndIgnoresUnknownOps() {
        FirehoseFrame error = FirehoseFrame.parse(TestRepo.frame(Map.of("op", -1L),
                Map.of("error", "ConsumerTooSlow", "message", "bye")));
        assertTrue(error.header().isError());
        assertNull(error.header().type());
        assertEquals(new FirehoseEvent.Error("ConsumerTooSlow", "bye"), error.event());
        assertNull(error.did());

        FirehoseFrame unknown = FirehoseFrame.parse(TestRepo.frame(Map.of("op", 2L, "t", "#x"), Map.of("a", 1L)));
        assertFalse(unknown.header().isMessage());
        assertFalse(unknown.header().isError());
        assertEquals(new FirehoseEvent.Unknown(null, Map.of("a", 1L)), unknown.event());
    }

    @Test
    void rejectsInvalidFraming() {
        assertFraming(new byte[FirehoseFrame.MAX_BYTES + 1], "invalid frame: 5242881 bytes exceed the limit");
        assertFraming(new byte[0], "invalid frame header: invalid DAG-CBOR: empty input");
        assertFraming(HexFormat.of().parseHex("ff00"), "invalid frame header: invalid DAG-CBOR");
        assertFraming(concat(DagCbor.encode(List.of()), DagCbor.encode(Map.of())), "invalid frame header: not a map");
        assertFraming(TestRepo.frame(Map.of("t", "#commit"), Map.of()), "invalid frame header: op must be an integer");
        assertFraming(TestRepo.frame(Map.of("op", 1L), Map.of()), "invalid frame header: a message (op 1) needs a type");
        assertFraming(TestRepo.frame(Map.of("op", 1L, "t", 5L), Map.of()), "invalid frame header: t must be a string");
        assertFraming(DagCbor.encode(Map.of("op", 1L, "t", "#commit")), "invalid frame: no payload after the header");
        FirehoseFrame notAMap = FirehoseFrame.parse(TestRepo.frame(Map.of("op", 1L, "t", "#commit"), List.of()));
        assertEquals("invalid frame payload: not a map", assertThrows(IpldException.class, notAMap::body).getMessage());
        assertThrows(IpldException.class, notAMap::did);
        FirehoseFrame trailing = FirehoseFrame.parse(concat(TestRepo.frame(Map.of("op", 1L, "t", "#info"),
                Map.of("name", "x")), new byte[] {0}));
        assertEquals("invalid frame payload: 1 trailing bytes after the payload",
                assertThrows(IpldException.class, trailing::body).getMessage());
    }

    @Test
    void namesTheEventAndFieldWhenAPayloadLacksSomething() {
        assertEventError("#identity", Map.of("did", DID, "time", "t"), "invalid #identity: seq must be an integer");
        assertEventError("#account", Map.of("seq", 1L, "did", DID, "time", "t"),
                "invalid #account: active must be a boolean");
        Map<String, Object> commit = commitBody();
        commit.remove("blocks");
        assertEventError("#commit", commit, "invalid #commit: blocks must be bytes");
        commit = commitBody();
        commit.put("ops", List.of(Map.of("action", "move", "path", "a/b", "cid", CID)));
        assertEventError("#commit", commit, "invalid #commit op: action must be create, update or delete");
        commit.put("ops", List.of(Map.of("action", "delete", "path", "a/b", "cid", CID)));
        assertEventError("#commit", commit, "invalid #commit op: cid must be null for a delete");
        Map<String, Object> createWithoutCid = new LinkedHashMap<>(Map.of("action", "create", "path", "a/b"));
        createWithoutCid.put("cid", null);
        commit.put("ops", List.of(createWithoutCid));
        assertEventError("#commit", commit, "invalid #commit op: cid must be a link for a create");
        commit.put("ops", "none");
        assertEventError("#commit", commit, "invalid #commit: ops must be a list");
        assertEventError("#info", Map.of(), "invalid #info: name must be a string");
    }

    @Test
    void refusesToInvertAnUpdateOrDeleteWithoutPrev() {
        FirehoseEvent.RepoOp delete = new FirehoseEvent.RepoOp("delete", "a/b", null, null);
        assertThrows(IpldException.class, delete::toInversionOp);
        assertEquals(MstInversion.Op.create("a/b", CID), new FirehoseEvent.RepoOp("create", "a/b", CID, null)
                .toInversionOp());
    }

    @Test
    void onlyIpldExceptionEscapesOnMutatedFrames() {
        TestRepo repo = new TestRepo(DID);
        List<byte[]> seeds = new ArrayList<>();
        for (int i = 0; i < 5; i++) {
            seeds.add(TestRepo.frame(repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/" + i,
                    TestRepo.pin("bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku", "p" + i))), i)
                    .event()));
        }
        seeds.add(TestRepo.frame(Map.of("op", -1L), Map.of("error", "FutureCursor")));
        Random random = Fuzz.random();
        for (int round = 0; round < Fuzz.ROUNDS / 2; round++) {
            byte[] input = seeds.get(random.nextInt(seeds.size())).clone();
            int mutations = 1 + random.nextInt(3);
            for (int m = 0; m < mutations; m++) {
                // Bias towards the header and the payload's field area, where structure lives.
                int at = random.nextBoolean() ? random.nextInt(Math.min(input.length, 120)) : random.nextInt(input.length);
                input[at] = (byte) random.nextInt(256);
            }
            if (random.nextInt(4) == 0) {
                input = Arrays.copyOf(input, random.nextInt(input.length + 1));
            }
            byte[] attempt = input;
            Fuzz.onlyIpldException(attempt, () -> {
                FirehoseFrame frame = FirehoseFrame.parse(attempt);
                frame.did();
                frame.seq();
                if (frame.event() instanceof FirehoseEvent.Commit commit) {
                    CommitVerification.verify(commit);
                }
                return frame;
            });
        }
    }

    private static Map<String, Object> commitBody() {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", 1L);
        body.put("repo", DID);
        body.put("rev", "3k67up3j7hf2x");
        body.put("since", null);
        body.put("commit", CID);
        body.put("blocks", new byte[0]);
        body.put("ops", List.of());
        body.put("blobs", List.of());
        body.put("time", "t");
        body.put("tooBig", false);
        return body;
    }

    private static FirehoseEvent event(String type, Map<String, Object> body) {
        return FirehoseFrame.parse(TestRepo.frame(Map.of("op", 1L, "t", type), body)).event();
    }

    private static void assertEventError(String type, Map<String, Object> body, String message) {
        FirehoseFrame frame = FirehoseFrame.parse(TestRepo.frame(Map.of("op", 1L, "t", type), body));
        assertEquals(message, assertThrows(IpldException.class, frame::event).getMessage());
    }

    private static void assertFraming(byte[] message, String expected) {
        IpldException e = assertThrows(IpldException.class, () -> FirehoseFrame.parse(message));
        assertTrue(e.getMessage().startsWith(expected), e.getMessage());
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
