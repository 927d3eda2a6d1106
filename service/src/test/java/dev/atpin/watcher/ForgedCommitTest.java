package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.ipld.Car;
import dev.atpin.ipld.CarReader;
import dev.atpin.ipld.CarWriter;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.RepoCommit;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Commits that fail a check change nothing and are reported. The frames are real ones from the
 * reference PDS, tampered with here: a real PDS cannot be made to send a forged commit.
 */
@QuarkusTest
class ForgedCommitTest extends WatcherTestSupport {

    @Inject
    FirehoseHandler handler;

    @Inject
    Resyncer resyncer;

    @Inject
    MeterRegistry metrics;

    @AfterEach
    void resumeEverything() {
        supervisor.resume();
        resyncer.resume();
    }

    /** Writes a genuine pin record while the watcher is held, and returns the frame that carried it. */
    private byte[] genuineFrame(User user, String cid) throws Exception {
        String path = PIN + "/" + Cid.parse(cid).normalized();
        putPinRecord(user, cid, "genuine");
        return FrameTap.commitFrame(pds.pdsUrl(), user.did(), path);
    }

    private void expectRejected(User user, String cid, byte[] forged, String reason) throws Exception {
        double rejectedBefore = metrics.counter("atpin.watcher.commits.rejected").count();
        handler.handle("test", FirehoseFrame.parse(forged), forged);
        assertThat(requestFor(user, cid)).as("a forged commit creates no pin").isEmpty();
        WatchedRepo repo = repos.find(user.did()).orElseThrow();
        assertThat(repo.state()).isEqualTo(RepoState.DESYNCHRONIZED);
        assertThat(repo.lastError()).contains(reason);
        assertThat(metrics.counter("atpin.watcher.commits.rejected").count()).isEqualTo(rejectedBefore + 1);
        // Afterwards the resync of the real repo brings the genuine record in.
        resyncer.resume();
        supervisor.resume();
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "pinned".equals(statusOf(user, cid))
                && repos.find(user.did()).orElseThrow().state() == RepoState.ACTIVE);
    }

    private User heldUser() {
        User user = consentingUser();
        enroll(user);
        supervisor.pause();
        resyncer.pause();
        return user;
    }

    @Test
    void aCommitSignedWithAnotherKeyIsRejected() throws Exception {
        User user = heldUser();
        String cid = content();
        byte[] forged = tamper(genuineFrame(user, cid), body -> {
            Car car = CarReader.read((byte[]) body.get("blocks"));
            RepoCommit real = RepoCommit.decode(car.get((Cid) body.get("commit")));
            RepoCommit resigned = RepoCommit.unsigned(real.did(), real.data(), real.rev(), real.prev())
                    .sign(signWithFreshKey(real));
            byte[] block = resigned.block();
            Cid commitCid = DagCbor.cid(block);
            Map<Cid, byte[]> blocks = new LinkedHashMap<>(car.blocks());
            blocks.put(commitCid, block);
            body.put("commit", commitCid);
            body.put("blocks", CarWriter.write(List.of(commitCid), blocks));
            return body;
        });
        expectRejected(user, cid, forged, "not signed by the account's current key");
    }

    @Test
    void aSyncThatIsNotNewerThanOurRevIsIgnored() throws Exception {
        User user = heldUser();
        // The PDS announced the account's first state with a #sync when it was created: by now
        // we hold the repo at a newer rev, so that frame, delivered late or replayed, changes nothing.
        byte[] creation = FrameTap.frame(pds.pdsUrl(), user.did(), frame -> frame.event() instanceof FirehoseEvent.Sync);
        WatchedRepo before = repos.find(user.did()).orElseThrow();
        handler.handle("test", FirehoseFrame.parse(creation), creation);
        WatchedRepo after = repos.find(user.did()).orElseThrow();
        assertThat(after.state()).isEqualTo(RepoState.ACTIVE);
        assertThat(after.rev()).isEqualTo(before.rev());
        assertThat(after.dataCid()).isEqualTo(before.dataCid());
    }

    @Test
    void aCommitWhoseBlockDoesNotMatchItsHashIsRejected() throws Exception {
        User user = heldUser();
        String cid = content();
        byte[] forged = tamper(genuineFrame(user, cid), body -> {
            byte[] car = ((byte[]) body.get("blocks")).clone();
            car[car.length - 3] ^= 0x01; // inside the last block: its bytes no longer hash to its CID
            body.put("blocks", car);
            return body;
        });
        expectRejected(user, cid, forged, "failed verification");
    }

    @Test
    void anOpThatIsNotInTheMstIsRejected() throws Exception {
        User user = heldUser();
        String cid = content();
        String other = Cid.parse(content()).normalized();
        byte[] forged = tamper(genuineFrame(user, cid), body -> {
            List<Object> ops = new ArrayList<>();
            for (Object op : (List<?>) body.get("ops")) {
                Map<String, Object> changed = new LinkedHashMap<>((Map<String, Object>) op);
                changed.put("path", PIN + "/" + other);
                ops.add(changed);
            }
            body.put("ops", ops);
            return body;
        });
        expectRejected(user, cid, forged, "failed verification");
    }

    @Test
    void anOldCommitReplayedChangesNothing() throws Exception {
        User user = consentingUser();
        enroll(user);
        String cid = content();
        putPinRecord(user, cid, "applied once");
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> "pinned".equals(statusOf(user, cid)));
        byte[] old = FrameTap.commitFrame(pds.pdsUrl(), user.did(), PIN + "/" + Cid.parse(cid).normalized());
        pds.deleteRecord(user.account(), PIN, Cid.parse(cid).normalized());
        await().atMost(java.time.Duration.ofSeconds(30)).until(() -> requestFor(user, cid).isEmpty());

        double staleBefore = metrics.counter("atpin.watcher.commits.stale").count();
        handler.handle("test", FirehoseFrame.parse(old), old);
        assertThat(requestFor(user, cid)).as("the replayed create does not bring the pin back").isEmpty();
        assertThat(repos.find(user.did()).orElseThrow().state()).isEqualTo(RepoState.ACTIVE);
        assertThat(metrics.counter("atpin.watcher.commits.stale").count()).isEqualTo(staleBefore + 1);
    }

    private static byte[] tamper(byte[] frame, UnaryOperator<Map<String, Object>> change) {
        FirehoseFrame parsed = FirehoseFrame.parse(frame);
        Map<String, Object> body = change.apply(new LinkedHashMap<>(parsed.body()));
        Map<String, Object> header = new LinkedHashMap<>();
        header.put("op", 1L);
        header.put("t", "#commit");
        byte[] head = DagCbor.encode(header);
        byte[] rest = DagCbor.encode(body);
        byte[] out = new byte[head.length + rest.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(rest, 0, out, head.length, rest.length);
        return out;
    }

    /** A compact (r||s) ES256 signature by a key that is not the account's. */
    private static byte[] signWithFreshKey(RepoCommit commit) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("EC");
            gen.initialize(new ECGenParameterSpec("secp256r1"));
            Signature ecdsa = Signature.getInstance("SHA256withECDSAinP1363Format");
            ecdsa.initSign(gen.generateKeyPair().getPrivate());
            ecdsa.update(commit.unsignedBytes());
            return ecdsa.sign();
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
