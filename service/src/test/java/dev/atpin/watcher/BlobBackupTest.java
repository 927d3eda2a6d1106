package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.ipld.Cid;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.TestStack;
import io.quarkus.test.junit.QuarkusTest;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** The seed's second route: a CID nobody has is rebuilt from the atproto blob its pin record carries. */
@QuarkusTest
class BlobBackupTest extends WatcherTestSupport {

    @Test
    void aCidThatExistsNowhereIsRestoredFromItsBackupBlobAndVerified() {
        User user = consentingUser();
        byte[] bytes = new byte[1_500_000]; // two 1 MiB chunks under unixfs-v1-2025
        ThreadLocalRandom.current().nextBytes(bytes);
        // The UnixFS root of these bytes, computed without storing a single block anywhere.
        String cid = outside.add(bytes, "only-hash=true&raw-leaves=true&chunker=size-1048576");
        assertThat(outside.hasBlockLocally(cid)).isFalse();

        Map<String, Object> blob = pds.uploadBlob(user.account(), bytes, "application/octet-stream");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("name", "only in my PDS");
        record.put("backup", Map.of("blob", blob, "importProfile", "unixfs-v1-2025"));
        record.put("createdAt", Instant.now().toString());
        pds.createRecord(user.account(), PIN, Cid.parse(cid).normalized(), record);
        enroll(user);

        await().atMost(Duration.ofSeconds(90)).until(() -> "pinned".equals(statusOf(user, cid)));
        Map<?, ?> info = (Map<?, ?>) requestFor(user, cid).orElseThrow().get("info");
        assertThat((String) info.get("status_details")).contains("restored from an atproto blob backup");
        assertThat(TestStack.CLUSTER.stream().anyMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid)))
                .isTrue();

        // Another tenant pinning the same content learns nothing about whose repo held the backup.
        Tenants.Tenant other = Tenants.fresh(tokens);
        String otherId = other.api().body(Map.of("cid", cid)).post("/psa/pins").then().statusCode(202)
                .extract().path("requestid");
        await().atMost(Duration.ofSeconds(60)).until(() -> "pinned".equals(
                other.api().get("/psa/pins/" + otherId).then().extract().path("status")));
        String seen = other.api().get("/psa/pins/" + otherId).then().extract().asString();
        assertThat(seen).doesNotContain(user.did());
        assertThat((String) info.get("status_details")).doesNotContain(user.did());
    }

    @Test
    void aBackupBlobThatDoesNotReproduceTheCidIsNotUsed() throws Exception {
        User user = consentingUser();
        byte[] bytes = new byte[10_000];
        ThreadLocalRandom.current().nextBytes(bytes);
        String cid = outside.add(bytes, "only-hash=true&raw-leaves=true&chunker=size-1048576");
        byte[] other = new byte[10_000];
        ThreadLocalRandom.current().nextBytes(other);
        Map<String, Object> blob = pds.uploadBlob(user.account(), other, "application/octet-stream");
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("backup", Map.of("blob", blob));
        record.put("createdAt", Instant.now().toString());
        pds.createRecord(user.account(), PIN, Cid.parse(cid).normalized(), record);
        enroll(user);
        await().atMost(Duration.ofSeconds(30)).until(() -> requestFor(user, cid).isPresent());
        Thread.sleep(15_000); // past one no-progress timeout and the restore attempt
        assertThat(statusOf(user, cid)).isIn("queued", "pinning");
        assertThat(TestStack.CLUSTER.stream().anyMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid)))
                .isFalse();
    }
}
