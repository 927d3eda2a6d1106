package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.Signature;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class CommitVerificationTest {

    private static final String DID = "did:plc:ewvi7nxzyoun6zhxrhs64oiz";
    private static final String CONTENT = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    private TestRepo repo;

    @BeforeEach
    void seedARepoWithSomeRecords() {
        repo = new TestRepo(DID);
        List<TestRepo.Change> seed = new ArrayList<>();
        for (int i = 0; i < 60; i++) {
            seed.add(new TestRepo.Change("app.bsky.feed.post/" + TestRepo.tid(1_600_000_000_000_000L + i * 7919L << 10),
                    Map.of("$type", "app.bsky.feed.post", "text", "post " + i)));
            seed.add(new TestRepo.Change("dev.atpin.pin/" + i, TestRepo.pin(CONTENT, "pin " + i)));
        }
        repo.apply(seed, 1);
    }

    @Test
    void acceptsACommitThatCreatesARecordAndHandsBackTheCommitForTheSignatureCheck()
            throws GeneralSecurityException {
        TestRepo.Committed committed = repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/new",
                TestRepo.pin(CONTENT, "new"))), 2);
        FirehoseEvent.Commit event = roundTrip(committed.event());
        CommitVerification.Result result = CommitVerification.verify(event);
        assertTrue(result.valid(), result.detail());
        assertTrue(result.inverted());
        assertEquals(repo.commit.cid(), result.commit().cid());

        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(repo.key.getPublic());
        verifier.update(result.commit().unsignedBytes());
        assertTrue(verifier.verify(result.commit().sig()));

        Cid recordCid = event.ops().getFirst().cid();
        Map<?, ?> record = (Map<?, ?>) DagCbor.decode(result.blocks().get(recordCid));
        assertEquals(CONTENT, record.get("cid"));
    }

    @Test
    void acceptsUpdatesDeletesAndMixedCommits() {
        List<TestRepo.Change> changes = List.of(
                new TestRepo.Change("dev.atpin.pin/3", TestRepo.pin(CONTENT, "renamed")),
                new TestRepo.Change("dev.atpin.pin/4", null),
                new TestRepo.Change("dev.atpin.pin/40", null),
                new TestRepo.Change("dev.atpin.pin/zz", TestRepo.pin(CONTENT, "zz")));
        FirehoseEvent.Commit event = roundTrip(repo.apply(changes, 2).event());
        assertEquals(List.of("update", "delete", "delete", "create"),
                event.ops().stream().map(FirehoseEvent.RepoOp::action).toList());
        CommitVerification.Result result = CommitVerification.verify(event);
        assertTrue(result.valid(), result.detail());
        assertTrue(result.inverted());
        assertTrue(CommitVerification.verify(roundTrip(repo.apply(List.of(), 3).event())).valid(), "empty commit");
    }

    @Test
    void acceptsACommitWithoutPrevDataButSaysItWasNotInverted() {
        FirehoseEvent.Commit event = withPrevData(repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/x",
                TestRepo.pin(CONTENT, "x"))), 2).event(), null);
        CommitVerification.Result result = CommitVerification.verify(event);
        assertTrue(result.valid(), result.detail());
        assertFalse(result.inverted());
    }

    @Test
    void rejectsAnOperationListThatOmitsAChange() {
        FirehoseEvent.Commit event = repo.apply(List.of(
                new TestRepo.Change("dev.atpin.pin/x", TestRepo.pin(CONTENT, "x")),
                new TestRepo.Change("dev.atpin.pin/y", TestRepo.pin(CONTENT, "y"))), 2).event();
        FirehoseEvent.Commit partial = withOps(event, event.ops().subList(0, 1));
        CommitVerification.Result result = CommitVerification.verify(partial);
        assertEquals(CommitVerification.Status.INVALID, result.status());
        assertTrue(result.detail().contains("not prevData"), result.detail());
    }

    @Test
    void rejectsOperationsTheTreeDoesNotProve() {
        FirehoseEvent.Commit event = repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/x",
                TestRepo.pin(CONTENT, "x"))), 2).event();
        FirehoseEvent.RepoOp op = event.ops().getFirst();
        Cid other = DagCbor.cid(DagCbor.encode("other"));
        assertInvalid(withOps(event, List.of(new FirehoseEvent.RepoOp("create", op.path(), other, null))),
                "create dev.atpin.pin/x: dev.atpin.pin/x maps to");
        assertInvalid(withOps(event, List.of(new FirehoseEvent.RepoOp("delete", op.path(), null, other))),
                "delete dev.atpin.pin/x: dev.atpin.pin/x maps to");
        assertInvalid(withOps(event, List.of(op, new FirehoseEvent.RepoOp("create", "dev.atpin.pin/ghost", other,
                null))), "dev.atpin.pin/ghost is absent");
    }

    @Test
    void rejectsEventsThatDoNotMatchTheirCommit() {
        FirehoseEvent.Commit e = repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/x",
                TestRepo.pin(CONTENT, "x"))), 2).event();
        assertInvalid(new FirehoseEvent.Commit(e.seq(), "did:plc:someoneelse", e.rev(), e.since(), e.commit(),
                e.blocks(), e.ops(), e.prevData(), e.time(), false), "commit is for " + DID);
        assertInvalid(new FirehoseEvent.Commit(e.seq(), e.repo(), "3k67up3j7hf2x", e.since(), e.commit(),
                e.blocks(), e.ops(), e.prevData(), e.time(), false), "differs from event rev");
        Cid otherCommit = DagCbor.cid(DagCbor.encode("x"));
        assertInvalid(new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), otherCommit,
                e.blocks(), e.ops(), e.prevData(), e.time(), false), "is not the event's commit");
        assertInvalid(new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(),
                new byte[] {1, 2, 3}, e.ops(), e.prevData(), e.time(), false), "blocks: invalid CAR");
        Car car = CarReader.read(e.blocks());
        Map<Cid, byte[]> withoutCommit = new LinkedHashMap<>(car.blocks());
        withoutCommit.remove(e.commit());
        assertInvalid(new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(),
                CarWriter.write(car.roots(), withoutCommit), e.ops(), e.prevData(), e.time(), false),
                "blocks lack the commit block");
        Map<Cid, byte[]> tampered = new LinkedHashMap<>(car.blocks());
        tampered.put(e.ops().getFirst().cid(), DagCbor.encode("tampered"));
        assertInvalid(new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(),
                CarWriter.write(car.roots(), tampered), e.ops(), e.prevData(), e.time(), false),
                "does not match its CID");
        assertInvalid(withOps(e, java.util.Collections.nCopies(201, e.ops().getFirst())), "more than 200");
    }

    @Test
    void reportsAnIncompleteDiffInsteadOfFailing() {
        FirehoseEvent.Commit event = repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/x",
                TestRepo.pin(CONTENT, "x"))), 2).event();
        Car car = CarReader.read(event.blocks());
        RepoCommit commit = RepoCommit.decode(car.get(event.commit()));
        Map<Cid, byte[]> lacking = new LinkedHashMap<>(car.blocks());
        lacking.remove(commit.data());
        CommitVerification.Result result = CommitVerification.verify(withBlocks(event,
                CarWriter.write(car.roots(), lacking)));
        assertEquals(CommitVerification.Status.INCOMPLETE, result.status());
        assertTrue(result.detail().contains("proof incomplete"), result.detail());
        assertEquals(commit.cid(), result.commit().cid());
    }

    @Test
    void checksSyncEventsAgainstTheirCommitBlock() {
        byte[] blocks = new CarWriter(List.of(repo.commit.cid())).add(repo.commit.cid(), repo.commit.block())
                .toByteArray();
        FirehoseEvent.Sync sync = new FirehoseEvent.Sync(5, DID, repo.commit.rev(), blocks, "t");
        CommitVerification.Result result = CommitVerification.verify(sync);
        assertTrue(result.valid(), result.detail());
        assertEquals(repo.commit.data(), result.commit().data());
        CommitVerification.Result wrongRev = CommitVerification.verify(new FirehoseEvent.Sync(5, DID,
                "3k67up3j7hf2x", blocks, "t"));
        assertEquals(CommitVerification.Status.INVALID, wrongRev.status());
        CommitVerification.Result noRoot = CommitVerification.verify(new FirehoseEvent.Sync(5, DID,
                repo.commit.rev(), new CarWriter(List.of()).toByteArray(), "t"));
        assertEquals("blocks CAR has no root", noRoot.detail());
        assertNull(noRoot.commit());
    }

    @Test
    void resyncsFromAGetRepoExportByWalkingEveryRecord() {
        repo.apply(List.of(new TestRepo.Change("dev.atpin.pin/7", null)), 2);
        Car car = CarReader.read(repo.exportCar());
        RepoCommit commit = RepoCommit.decode(car.get(car.firstRoot().orElseThrow()));
        assertEquals(DID, commit.did());
        List<Mst.Entry> entries = Mst.entries(car, commit.data());
        assertEquals(119, entries.size());
        List<String> pins = new ArrayList<>();
        for (Mst.Entry entry : entries) {
            byte[] block = car.get(entry.value());
            assertTrue(block != null, "record " + entry.key() + " is in the export");
            if (entry.key().startsWith("dev.atpin.pin/")) {
                pins.add((String) ((Map<?, ?>) DagCbor.decode(block)).get("name"));
            }
        }
        assertEquals(59, pins.size());
        assertFalse(pins.contains("pin 7"));
        assertEquals(Optional.empty(), Mst.get(car, commit.data(), "dev.atpin.pin/7"));
        // The export's tree is canonical: rebuilding it from its entries gives the signed root.
        Map<String, Cid> rebuilt = new LinkedHashMap<>();
        entries.forEach(entry -> rebuilt.put(entry.key(), entry.value()));
        assertEquals(commit.data(), MstBuilder.build(rebuilt).root());
        assertArrayEquals(repo.commit.block(), car.get(commit.cid()));
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    /** Sends the event through the wire format and back. */
    private static FirehoseEvent.Commit roundTrip(FirehoseEvent.Commit event) {
        return assertInstanceOf(FirehoseEvent.Commit.class, FirehoseFrame.parse(TestRepo.frame(event)).event());
    }

    private static FirehoseEvent.Commit withOps(FirehoseEvent.Commit e, List<FirehoseEvent.RepoOp> ops) {
        return new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(), e.blocks(), ops,
                e.prevData(), e.time(), e.tooBig());
    }

    private static FirehoseEvent.Commit withPrevData(FirehoseEvent.Commit e, Cid prevData) {
        return new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(), e.blocks(), e.ops(),
                prevData, e.time(), e.tooBig());
    }

    private static FirehoseEvent.Commit withBlocks(FirehoseEvent.Commit e, byte[] blocks) {
        return new FirehoseEvent.Commit(e.seq(), e.repo(), e.rev(), e.since(), e.commit(), blocks, e.ops(),
                e.prevData(), e.time(), e.tooBig());
    }

    private static void assertInvalid(FirehoseEvent.Commit event, String detail) {
        CommitVerification.Result result = CommitVerification.verify(event);
        assertEquals(CommitVerification.Status.INVALID, result.status(), result.detail());
        assertTrue(result.detail().contains(detail), result.detail());
    }
}
