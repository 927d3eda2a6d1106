package dev.atpin.dashboard;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.ipld.Cid;
import dev.atpin.oauth.client.ClientSettings;
import dev.atpin.testing.DashboardLogin;
import dev.atpin.testing.DashboardLogin.LoggedIn;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsTestResource.InjectPds;
import dev.atpin.testing.TestStack;
import dev.atpin.watcher.RepoState;
import dev.atpin.watcher.WatchedRepos;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** A logged-in user enrolls their repo from the dashboard: the consent record is written through their OAuth session. */
@QuarkusTest
class RepoEnrollmentTest {

    @InjectPds
    PdsServer pds;

    @Inject
    ClientSettings client;

    @Inject
    WatchedRepos repos;

    @Test
    void enrollingWritesTheConsentRecordAndPinRecordsGetPinnedAndShownOnThePage() throws Exception {
        String base = client.publicUrl().toString();
        PdsServer.Account account = pds.createAccount("enr" + UUID.randomUUID().toString().substring(0, 6));
        LoggedIn user = DashboardLogin.login(base, account);
        assertThat(user.browser().get(base + "/account/repo").body()).contains("Enroll my repo");

        HttpResponse<String> refused = user.browser().postForm(base + "/account/repo/enroll", Map.of());
        assertThat(refused.statusCode()).isEqualTo(403);

        user.browser().postForm(base + "/account/repo/enroll", Map.of("csrf", user.csrf()));
        assertThat(pds.getRecord(account.did(), "dev.atpin.enrollment", "self"))
                .hasValueSatisfying(r -> assertThat(r.path("service").asText()).isEqualTo("did:web:localhost"));
        await().atMost(Duration.ofSeconds(30))
                .until(() -> repos.find(account.did()).map(r -> r.state() == RepoState.ACTIVE).orElse(false));
        assertThat(user.browser().get(base + "/account/repo").body()).contains("id=\"repo-state\">active");

        // A record that is not valid shows up on the page as a problem.
        pds.createRecord(account, "dev.atpin.pin", "notthecid", Map.of("cid", "nope", "createdAt", Instant.now().toString()));
        await().atMost(Duration.ofSeconds(30)).until(() -> user.browser().get(base + "/account/repo").body()
                .contains("dev.atpin.pin/notthecid"));

        // A valid one is pinned.
        KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);
        byte[] data = new byte[2_000];
        ThreadLocalRandom.current().nextBytes(data);
        String cid = outside.add(data);
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("origins", outside.swarmAddresses());
        record.put("createdAt", Instant.now().toString());
        pds.createRecord(account, "dev.atpin.pin", Cid.parse(cid).normalized(), record);
        await().atMost(Duration.ofSeconds(60)).until(() -> TestStack.CLUSTER.stream()
                .anyMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid)));

        user.browser().postForm(base + "/account/repo/unenroll", Map.of("csrf", user.csrf()));
        assertThat(pds.getRecord(account.did(), "dev.atpin.enrollment", "self")).isEmpty();
        assertThat(repos.find(account.did()).orElseThrow().state()).isEqualTo(RepoState.UNENROLLED);
        assertThat(user.browser().get(base + "/account/repo").body()).contains("Enroll my repo");
    }
}
