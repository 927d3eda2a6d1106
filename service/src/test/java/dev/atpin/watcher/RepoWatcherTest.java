package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.ipld.Cid;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.Tenants;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Instant;
import java.util.Map;
import java.util.Set;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Pins follow the pin records in a user's repo on the real reference PDS. */
@QuarkusTest
class RepoWatcherTest extends WatcherTestSupport {

    @Test
    void aPinRecordIsPinnedAndItsDeletionReleasesThePin() {
        User user = consentingUser();
        enroll(user);
        String cid = content();
        String uri = putPinRecord(user, cid, "from my repo");
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, cid)));
        Map<String, Object> request = requestFor(user, cid).orElseThrow();
        assertThat(((Map<?, ?>) request.get("info")).get("source")).isEqualTo(uri);
        assertThat(((Map<?, ?>) request.get("pin")).get("name")).isEqualTo("from my repo");
        assertThat(clusterPins(cid)).isTrue();

        // The record owns the pin: the API refuses to delete it.
        user.api().delete("/psa/pins/" + request.get("requestid")).then().statusCode(409);

        pds.deleteRecord(user.account(), PIN, Cid.parse(cid).normalized());
        await().atMost(SOON).until(() -> requestFor(user, cid).isEmpty());
        await().atMost(SOON).until(() -> !clusterPins(cid));
    }

    @Test
    void recordsCreatedBeforeEnrollmentArePickedUpByTheBackfill() {
        User user = consentingUser();
        String first = content();
        String second = content();
        putPinRecord(user, first, "old one");
        putPinRecord(user, second, "old two");
        enroll(user);
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, first)) && "pinned".equals(statusOf(user, second)));
    }

    @Test
    void aRepoWithoutTheEnrollmentRecordIsNotPinned() {
        String name = "n" + Long.toHexString(ThreadLocalRandom.current().nextLong()).substring(0, 8);
        PdsServer.Account account = pds.createAccount(name);
        User user = new User(account, Tenants.fresh(tokens).token());
        String token = tokens.mint(account.did(), "test", Set.of(dev.atpin.auth.Scope.READ, dev.atpin.auth.Scope.WRITE),
                Optional.empty()).token();
        User noConsent = new User(account, token);
        String cid = content();
        putPinRecord(noConsent, cid, "no consent");
        noConsent.api().post("/api/v1/watcher/enrollment").then().statusCode(202);
        await().atMost(SOON).until(() -> "unenrolled".equals(noConsent.api().get("/api/v1/watcher/status").path("state")));
        assertThat(requestFor(noConsent, cid)).isEmpty();
        assertThat(user).isNotNull();
    }

    @Test
    void aWatcherOutageMissesNothing() throws Exception {
        User user = consentingUser();
        String kept = content();
        String dropped = content();
        enroll(user);
        putPinRecord(user, dropped, "will be deleted while the watcher is down");
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, dropped)));

        supervisor.pause();
        try {
            String added = putPinRecord(user, kept, "added while the watcher is down");
            pds.deleteRecord(user.account(), PIN, Cid.parse(dropped).normalized());
            Thread.sleep(2_000);
            assertThat(requestFor(user, kept)).isEmpty();
            assertThat(requestFor(user, dropped)).isPresent();
            assertThat(added).isNotBlank();
        } finally {
            supervisor.resume();
        }
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, kept)) && requestFor(user, dropped).isEmpty());
        // Exactly one request per record: no doubles from replayed events.
        assertThat(user.api().queryParam("status", "queued,pinning,pinned,failed").get("/psa/pins")
                .then().extract().<Integer>path("count")).isEqualTo(1);
    }

    @jakarta.inject.Inject
    io.agroal.api.AgroalDataSource db;

    @Test
    void aFirehoseFollowedAgainWithoutACursorMissesNothing() throws Exception {
        User user = consentingUser();
        enroll(user);
        supervisor.pause();
        String cid = content();
        try {
            try (var c = db.getConnection(); var q = c.prepareStatement("delete from firehose_cursor")) {
                q.executeUpdate(); // e.g. a fresh deployment: the stream is followed from "now"
            }
            putPinRecord(user, cid, "written while nobody followed the firehose");
        } finally {
            supervisor.resume();
        }
        await().atMost(SOON).until(() -> "pinned".equals(statusOf(user, cid)));
    }

    @Test
    void anInvalidRecordIsReportedAndNotPinned() {
        User user = consentingUser();
        enroll(user);
        String cid = content();
        // rkey that is not the CID of 'cid'
        pds.createRecord(user.account(), PIN, "notthecid", Map.of("cid", cid, "createdAt", Instant.now().toString()));
        await().atMost(SOON).until(() -> {
            Map<String, String> problems = user.api().get("/api/v1/watcher/status").path("problems");
            return problems.containsKey(PIN + "/notthecid");
        });
        assertThat(requestFor(user, cid)).isEmpty();
        assertThat((String) user.api().get("/api/v1/watcher/status").path("state")).isEqualTo("active");
    }
}
