package dev.atpin.ipld;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * A small in-memory atproto repository for tests: records, the MST over them, signed commits, a
 * {@code getRepo}-style CAR export and firehose {@code #commit} events with diff CARs, all built with
 * {@link MstBuilder}, {@link CarWriter} and {@link RepoCommit}.
 */
final class TestRepo {

    final String did;
    final KeyPair key;
    private final Map<String, Object> records = new TreeMap<>();
    private final Map<Cid, byte[]> recordBlocks = new LinkedHashMap<>();
    private long clock = 1_700_000_000_000_000L;
    MstBuilder.Built tree;
    RepoCommit commit;

    TestRepo(String did) {
        this.did = did;
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            this.key = generator.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
        this.tree = MstBuilder.build(Map.of());
        this.commit = sign(RepoCommit.unsigned(did, tree.root(), nextRev(), null));
    }

    /** A change to apply: a record value to write, or null to delete the path. */
    record Change(String path, Map<String, Object> record) {
    }

    /** A commit made by {@link #apply}, in firehose terms. */
    record Committed(FirehoseEvent.Commit event, MstBuilder.Built before, MstBuilder.Built after,
                     Map<Cid, byte[]> allBlocks) {
    }

    static Map<String, Object> pin(String cid, String name) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("$type", "dev.atpin.pin");
        record.put("cid", cid);
        record.put("name", name);
        record.put("createdAt", "2025-01-01T00:00:00.000Z");
        return record;
    }

    /** The next TID: microseconds since the epoch and a clock id of 0, in base32-sortable. */
    String nextRev() {
        clock += 1_000;
        return tid(clock << 10);
    }

    static String tid(long value) {
        String alphabet = "234567abcdefghijklmnopqrstuvwxyz";
        StringBuilder out = new StringBuilder();
        for (int shift = 60; shift >= 0; shift -= 5) {
            out.append(alphabet.charAt((int) ((value >>> shift) & 31)));
        }
        return out.toString();
    }

    RepoCommit sign(RepoCommit unsigned) {
        try {
            Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
            signer.initSign(key.getPrivate());
            signer.update(unsigned.unsignedBytes());
            return unsigned.sign(signer.sign());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Applies changes as one commit. The diff CAR holds the commit, every MST node of the new tree that the old
     * tree lacked, every node of the new tree on an operation's path or next to one (the context inversion
     * needs; a superset is fine) and the written records.
     */
    Committed apply(List<Change> changes, long seq) {
        MstBuilder.Built before = tree;
        Cid prevData = before.root();
        String since = commit.rev();
        List<FirehoseEvent.RepoOp> ops = new ArrayList<>();
        Map<Cid, byte[]> written = new LinkedHashMap<>();
        for (Change change : changes) {
            Object old = records.get(change.path());
            Cid oldCid = old == null ? null : DagCbor.cid(DagCbor.encode(old));
            if (change.record() == null) {
                records.remove(change.path());
                ops.add(new FirehoseEvent.RepoOp("delete", change.path(), null, oldCid));
            } else {
                byte[] block = DagCbor.encode(change.record());
                Cid cid = DagCbor.cid(block);
                records.put(change.path(), change.record());
                recordBlocks.put(cid, block);
                written.put(cid, block);
                ops.add(new FirehoseEvent.RepoOp(old == null ? "create" : "update", change.path(), cid, oldCid));
            }
        }
        Map<String, Cid> entries = new LinkedHashMap<>();
        records.forEach((path, record) -> entries.put(path, DagCbor.cid(DagCbor.encode(record))));
        tree = MstBuilder.build(entries);
        commit = sign(RepoCommit.unsigned(did, tree.root(), nextRev(), null));

        CarWriter diff = new CarWriter(List.of(commit.cid()));
        diff.add(commit.cid(), commit.block());
        Set<Cid> old = new HashSet<>(before.blocks().keySet());
        Map<Cid, byte[]> all = new LinkedHashMap<>();
        all.put(commit.cid(), commit.block());
        tree.blocks().forEach((cid, block) -> {
            all.put(cid, block);
            if (!old.contains(cid)) {
                diff.add(cid, block);
            }
        });
        // Context nodes: the new tree's nodes on each operation's path, found by a lookup that records reads.
        Set<Cid> context = new HashSet<>();
        BlockStore recording = cid -> {
            context.add(cid);
            return tree.get(cid);
        };
        for (FirehoseEvent.RepoOp op : ops) {
            Mst.lookup(recording, tree.root(), op.path());
        }
        MstInversion.invert(cid -> {
            context.add(cid);
            return tree.get(cid);
        }, tree.root(), ops.stream().map(FirehoseEvent.RepoOp::toInversionOp).toList());
        context.stream().filter(old::contains).forEach(cid -> diff.add(cid, tree.get(cid)));
        written.forEach(diff::add);
        all.putAll(written);

        FirehoseEvent.Commit event = new FirehoseEvent.Commit(seq, did, commit.rev(), since, commit.cid(),
                diff.toByteArray(), ops, prevData, "2025-01-01T00:00:00.000Z", false);
        return new Committed(event, before, tree, all);
    }

    /** The {@code getRepo} export: commit first, then every MST node and record. */
    byte[] exportCar() {
        CarWriter car = new CarWriter(List.of(commit.cid()));
        car.add(commit.cid(), commit.block());
        tree.blocks().forEach(car::add);
        Set<Cid> live = new HashSet<>();
        records.values().forEach(record -> live.add(DagCbor.cid(DagCbor.encode(record))));
        recordBlocks.forEach((cid, block) -> {
            if (live.contains(cid)) {
                car.add(cid, block);
            }
        });
        return car.toByteArray();
    }

    /** The firehose wire form of an event: header then payload, as a PDS sends it. */
    static byte[] frame(FirehoseEvent.Commit event) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("seq", event.seq());
        body.put("repo", event.repo());
        body.put("rev", event.rev());
        body.put("since", event.since());
        body.put("commit", event.commit());
        body.put("blocks", event.blocks());
        List<Object> ops = new ArrayList<>();
        for (FirehoseEvent.RepoOp op : event.ops()) {
            Map<String, Object> wire = new LinkedHashMap<>();
            wire.put("action", op.action());
            wire.put("path", op.path());
            wire.put("cid", op.cid());
            if (op.prev() != null) {
                wire.put("prev", op.prev());
            }
            ops.add(wire);
        }
        body.put("ops", ops);
        body.put("blobs", List.of());
        if (event.prevData() != null) {
            body.put("prevData", event.prevData());
        }
        body.put("time", event.time());
        body.put("tooBig", event.tooBig());
        body.put("rebase", false);
        return frame(Map.of("op", 1L, "t", "#commit"), body);
    }

    static byte[] frame(Map<String, Object> header, Object body) {
        byte[] head = DagCbor.encode(header);
        byte[] payload = DagCbor.encode(body);
        byte[] out = new byte[head.length + payload.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(payload, 0, out, head.length, payload.length);
        return out;
    }
}
