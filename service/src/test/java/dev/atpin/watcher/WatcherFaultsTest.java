package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.testing.PdsServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.jboss.logging.Logger;
import org.junit.jupiter.api.Test;

/**
 * Faults between the watcher and a user's PDS (the real reference PDS): whatever the connection does,
 * the pin requests end equal to the pin records in the repo, none missed and none doubled.
 */
@QuarkusTest
class WatcherFaultsTest extends WatcherTestSupport {

    private static final Logger LOG = Logger.getLogger(WatcherFaultsTest.class);

    @Inject
    FirehoseHandler handler;

    @Test
    void aConnectionCutInTheMiddleOfFramesMissesAndDoublesNothing() throws Exception {
        User user = consentingUser();
        enroll(user);
        String real = repos.find(user.did()).orElseThrow().pdsUrl();
        List<String> live = new ArrayList<>();
        URI pdsAddress = URI.create(pds.pdsUrl());
        try (FrameCuttingProxy proxy = new FrameCuttingProxy("127.0.0.1", pdsAddress.getPort())) {
            moveBehind(proxy, user, real, live);
            Thread.sleep(1_000); // the replay since the copied cursor is through: the cuts land in our commits

            List<Long> reconnectMillis = new ArrayList<>();
            for (int round = 0; round < 5; round++) {
                int cutsBefore = proxy.cuts();
                int connectionsBefore = proxy.connections();
                proxy.cutNextFrame();
                for (int i = 0; i < 2; i++) {
                    String cid = content();
                    putPinRecord(user, cid, "round " + round);
                    live.add(cid);
                }
                if (round > 0) {
                    String gone = live.removeFirst();
                    pds.deleteRecord(user.account(), PIN, Cid.parse(gone).normalized());
                }
                await().atMost(SOON).until(() -> proxy.cuts() > cutsBefore);
                long cut = proxy.lastCutNanos();
                try {
                    await().atMost(SOON).until(() -> proxy.connections() > connectionsBefore);
                } catch (org.awaitility.core.ConditionTimeoutException e) {
                    Thread.getAllStackTraces().forEach((t, st) -> {
                        if (t.getName().contains("HttpClient") || t.getName().contains("firehose")) {
                            LOG.infof("no reconnect; thread %s:%n  %s", t.getName(), java.util.Arrays.stream(st)
                                    .map(String::valueOf).collect(java.util.stream.Collectors.joining("\n  ")));
                        }
                    });
                    throw e;
                }
                reconnectMillis.add((proxy.lastConnectNanos() - cut) / 1_000_000);
            }
            long lastCut = proxy.lastCutNanos();

            List<String> inRepo = pinRecordsInRepo(user);
            assertThat(inRepo).containsExactlyInAnyOrderElementsOf(live.stream().map(c -> Cid.parse(c).normalized()).toList());
            await().atMost(SOON).until(() -> pinRequests(user).size() == inRepo.size()
                    && pinRequests(user).containsAll(inRepo));
            long exactMillis = (System.nanoTime() - lastCut) / 1_000_000;
            // Exactly one request per record, and still: nothing arrives late or twice.
            Thread.sleep(2_000);
            assertThat(pinRequests(user)).containsExactlyInAnyOrderElementsOf(inRepo);
            WatchedRepo repo = repos.find(user.did()).orElseThrow();
            assertThat(repo.state()).isEqualTo(RepoState.ACTIVE);
            // Recovered from the cursor, not by a resync (which would have put the DID document's PDS back).
            assertThat(repo.pdsUrl()).isEqualTo(proxy.url());
            assertThat(proxy.cuts()).isEqualTo(5);
            LOG.infof("cut mid-frame 5 times: reconnected after %s ms; exact %d ms after the last cut",
                    reconnectMillis, exactMillis);
        } finally {
            repos.setPds(user.did(), real);
            handler.refreshNow();
        }
    }

    /**
     * Points the repo at the proxy, as after a move to another PDS host (what #identity does). The proxy's
     * upstream gets the real one's cursor: a stream without a cursor would be resynced, and a resync (which puts
     * the DID document's PDS back) is not what is tested with it.
     */
    private void moveBehind(FrameCuttingProxy proxy, User user, String real, List<String> live) throws Exception {
        String realUpstream = real.replaceAll("/$", "");
        // The real stream must be past this repo's own frames (its creation's #identity among them): handled
        // after the move, that one would move the repo back to the PDS its DID document names.
        String warmUp = content();
        putPinRecord(user, warmUp, "before the proxy");
        live.add(warmUp);
        long seq = FirehoseFrame.parse(FrameTap.commitFrame(pds.pdsUrl(), user.did(),
                PIN + "/" + Cid.parse(warmUp).normalized())).seq().orElseThrow();
        await().atMost(SOON).until(() -> {
            supervisor.saveCursors();
            return repos.cursor(realUpstream).orElse(-1L) >= seq;
        });
        repos.saveCursor(proxy.url(), repos.cursor(realUpstream).orElseThrow());
        repos.setPds(user.did(), proxy.url());
        handler.refreshNow();
        try {
            await().atMost(SOON).until(() -> proxy.connections() >= 1 && supervisor.following().contains(proxy.url()));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            LOG.infof("not behind the proxy %s: following %s, %d connections, repo %s", proxy.url(),
                    supervisor.following(), proxy.connections(), repos.find(user.did()));
            throw e;
        }
    }

    @Test
    void aPdsRestartedWhileRecordsChangeMissesAndDoublesNothing() throws Exception {
        // A PDS of this test's own, so that it can be stopped; its DIDs live in the stack's PLC.
        PdsServer own = PdsServer.startWithPlc(pds.plcUrl());
        try {
            String name = "r" + Long.toHexString(ThreadLocalRandom.current().nextLong()).substring(0, 8);
            PdsServer.Account account = own.createAccount(name);
            own.createRecord(account, ENROLLMENT, "self", Map.of("service", "did:web:localhost",
                    "createdAt", Instant.now().toString()));
            User user = new User(account, tokens.mint(account.did(), "test",
                    Set.of(dev.atpin.auth.Scope.READ, dev.atpin.auth.Scope.WRITE), Optional.empty()).token());
            enroll(user);
            List<String> live = new ArrayList<>();
            for (int i = 0; i < 3; i++) {
                live.add(putPinRecord(own, account, "before the restart"));
            }
            String early = live.getFirst();
            await().atMost(SOON).until(() -> requestFor(user, early).isPresent());
            // More changes, and the restart right after them: their frames may be still on their way.
            own.deleteRecord(account, PIN, Cid.parse(live.removeFirst()).normalized());
            live.add(putPinRecord(own, account, "just before the restart"));

            own = own.restart();
            long up = System.nanoTime();
            account = own.signIn(account);
            own.deleteRecord(account, PIN, Cid.parse(live.removeFirst()).normalized());
            for (int i = 0; i < 2; i++) {
                live.add(putPinRecord(own, account, "after the restart"));
            }

            PdsServer restarted = own;
            List<String> inRepo = pinRecordsInRepo(restarted, user);
            assertThat(inRepo).containsExactlyInAnyOrderElementsOf(live.stream().map(c -> Cid.parse(c).normalized()).toList());
            await().atMost(SOON).until(() -> pinRequests(user).size() == inRepo.size()
                    && pinRequests(user).containsAll(inRepo));
            long exactMillis = (System.nanoTime() - up) / 1_000_000;
            Thread.sleep(2_000); // nothing arrives late or twice
            assertThat(pinRequests(user)).containsExactlyInAnyOrderElementsOf(inRepo);
            WatchedRepo repo = repos.find(user.did()).orElseThrow();
            assertThat(repo.state()).isEqualTo(RepoState.ACTIVE);
            LOG.infof("PDS restarted: exact end state %d ms after it was up again", exactMillis);
            // Done with this PDS: the watcher stops following it before it goes away.
            user.api().delete("/api/v1/watcher/enrollment").then().statusCode(org.hamcrest.Matchers.lessThan(300));
        } finally {
            own.close();
        }
    }

    @Test
    void anOutdatedCursorIsFollowedByAResyncToTheExactState() throws Exception {
        User user = consentingUser();
        enroll(user);
        String real = repos.find(user.did()).orElseThrow().pdsUrl();
        List<String> live = new ArrayList<>();
        try (FrameCuttingProxy proxy = new FrameCuttingProxy("127.0.0.1", URI.create(pds.pdsUrl()).getPort())) {
            moveBehind(proxy, user, real, live);
            String kept = content();
            putPinRecord(user, kept, "seen live");
            live.add(kept);
            await().atMost(SOON).until(() -> requestFor(user, kept).isPresent());

            supervisor.pause();
            String lastPath;
            try {
                // Changes whose events the upstream no longer has: our cursor is moved past them, and on the next
                // connection the upstream says so, as a PDS or relay does for a cursor older than its window.
                String gone = live.removeFirst();
                pds.deleteRecord(user.account(), PIN, Cid.parse(gone).normalized());
                String added = content();
                putPinRecord(user, added, "missed by the stream");
                live.add(added);
                lastPath = PIN + "/" + Cid.parse(added).normalized();
                long seq = FirehoseFrame.parse(FrameTap.commitFrame(pds.pdsUrl(), user.did(), lastPath)).seq()
                        .orElseThrow();
                repos.saveCursor(proxy.url(), seq);
                proxy.injectOnNextConnection(frame(Map.of("op", 1L, "t", "#info"), Map.of("name", "OutdatedCursor",
                        "message", "Requested cursor exceeded limit. Possibly missing events")), false);
            } finally {
                supervisor.resume();
            }
            long resumed = System.nanoTime();
            List<String> inRepo = pinRecordsInRepo(user);
            assertThat(inRepo).containsExactlyInAnyOrderElementsOf(live.stream().map(c -> Cid.parse(c).normalized()).toList());
            await().atMost(SOON).until(() -> pinRequests(user).size() == inRepo.size()
                    && pinRequests(user).containsAll(inRepo));
            long exactMillis = (System.nanoTime() - resumed) / 1_000_000;
            Thread.sleep(2_000);
            assertThat(pinRequests(user)).containsExactlyInAnyOrderElementsOf(inRepo);
            assertThat(proxy.injected()).isEqualTo(1);
            WatchedRepo repo = repos.find(user.did()).orElseThrow();
            assertThat(repo.state()).isEqualTo(RepoState.ACTIVE);
            // The gap was filled by a resync (which takes the PDS from the DID document again).
            assertThat(repo.pdsUrl()).isEqualTo(real);
            LOG.infof("OutdatedCursor: exact end state %d ms after the watcher resumed", exactMillis);
        } finally {
            repos.setPds(user.did(), real);
            handler.refreshNow();
        }
    }

    @Test
    void consumerTooSlowIsFollowedByAReconnectFromTheCursor() throws Exception {
        User user = consentingUser();
        enroll(user);
        String real = repos.find(user.did()).orElseThrow().pdsUrl();
        List<String> live = new ArrayList<>();
        try (FrameCuttingProxy proxy = new FrameCuttingProxy("127.0.0.1", URI.create(pds.pdsUrl()).getPort())) {
            moveBehind(proxy, user, real, live);
            Thread.sleep(1_000);
            int connectionsBefore = proxy.connections();
            // The connection drops mid-frame, and when the watcher comes back the upstream gives up on it: an
            // error frame, then it closes, as a PDS does with a consumer that cannot keep up.
            proxy.cutNextFrame();
            proxy.injectOnNextConnection(frame(Map.of("op", -1L), Map.of("error", "ConsumerTooSlow",
                    "message", "Stream consumer too slow")), true);
            for (int i = 0; i < 3; i++) {
                String cid = content();
                putPinRecord(user, cid, "while too slow");
                live.add(cid);
            }
            String gone = live.removeFirst();
            pds.deleteRecord(user.account(), PIN, Cid.parse(gone).normalized());
            await().atMost(SOON).until(() -> proxy.injected() == 1);
            long refused = System.nanoTime();
            await().atMost(SOON).until(() -> proxy.connections() >= connectionsBefore + 2);
            String after = content();
            putPinRecord(user, after, "after");
            live.add(after);

            List<String> inRepo = pinRecordsInRepo(user);
            assertThat(inRepo).containsExactlyInAnyOrderElementsOf(live.stream().map(c -> Cid.parse(c).normalized()).toList());
            await().atMost(SOON).until(() -> pinRequests(user).size() == inRepo.size()
                    && pinRequests(user).containsAll(inRepo));
            long exactMillis = (System.nanoTime() - refused) / 1_000_000;
            Thread.sleep(2_000);
            assertThat(pinRequests(user)).containsExactlyInAnyOrderElementsOf(inRepo);
            WatchedRepo repo = repos.find(user.did()).orElseThrow();
            assertThat(repo.state()).isEqualTo(RepoState.ACTIVE);
            assertThat(repo.pdsUrl()).isEqualTo(proxy.url()); // from the cursor: no resync was needed
            LOG.infof("ConsumerTooSlow: exact end state %d ms after the error frame", exactMillis);
        } finally {
            repos.setPds(user.did(), real);
            handler.refreshNow();
        }
    }

    /** A firehose message as a server writes it: the DAG-CBOR header, then the body. */
    private static byte[] frame(Map<String, Object> header, Map<String, Object> body) {
        byte[] head = DagCbor.encode(new LinkedHashMap<>(header));
        byte[] rest = DagCbor.encode(new LinkedHashMap<>(body));
        byte[] out = new byte[head.length + rest.length];
        System.arraycopy(head, 0, out, 0, head.length);
        System.arraycopy(rest, 0, out, head.length, rest.length);
        return out;
    }

    private String putPinRecord(PdsServer on, PdsServer.Account account, String name) {
        String cid = content();
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("name", name);
        record.put("origins", outside.swarmAddresses());
        record.put("createdAt", Instant.now().toString());
        on.createRecord(account, PIN, Cid.parse(cid).normalized(), record);
        return cid;
    }

    private List<String> pinRecordsInRepo(User user) {
        return pinRecordsInRepo(pds, user);
    }

    /** The CIDs (normalized) of the repo's pin records, as the PDS lists them. */
    private static List<String> pinRecordsInRepo(PdsServer on, User user) {
        JsonNode records = on.xrpcGet("com.atproto.repo.listRecords", "repo="
                + URLEncoder.encode(user.did(), StandardCharsets.UTF_8) + "&collection=" + PIN + "&limit=100")
                .path("records");
        List<String> out = new ArrayList<>();
        records.forEach(r -> out.add(Cid.parse(r.path("value").path("cid").asText()).normalized()));
        return out;
    }

    /** The CIDs (normalized) of the user's pin requests, one entry per request. */
    private static List<String> pinRequests(User user) {
        List<Map<String, Object>> results = user.api().queryParam("status", "queued,pinning,pinned,failed")
                .queryParam("limit", 1000).get("/psa/pins").then().statusCode(200).extract().path("results");
        return results.stream().map(r -> Cid.parse((String) ((Map<?, ?>) r.get("pin")).get("cid")).normalized()).toList();
    }
}
