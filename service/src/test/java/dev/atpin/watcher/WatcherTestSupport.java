package dev.atpin.watcher;

import static org.awaitility.Awaitility.await;

import dev.atpin.auth.TokenService;
import dev.atpin.ipld.Cid;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import io.restassured.specification.RequestSpecification;
import jakarta.inject.Inject;
import java.time.Duration;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** What the watcher tests share: a user on the real PDS who consented, content, pin records. */
abstract class WatcherTestSupport {

    static final String PIN = "dev.atpin.pin";
    static final String ENROLLMENT = "dev.atpin.enrollment";
    static final Duration SOON = Duration.ofSeconds(30);

    @Inject
    TokenService tokens;

    @Inject
    FirehoseSupervisor supervisor;

    @Inject
    WatchedRepos repos;

    final PdsServer pds = PdsServer.attach();
    final KuboDaemon outside = KuboDaemon.attach(TestStack.OUTSIDE);

    /** A PDS account that has consented (enrollment record) and an API token for it. */
    record User(PdsServer.Account account, String token) {
        RequestSpecification api() {
            return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
        }

        String did() {
            return account.did();
        }
    }

    User consentingUser() {
        String name = "w" + Long.toHexString(ThreadLocalRandom.current().nextLong()).substring(0, 8);
        PdsServer.Account account = pds.createAccount(name);
        pds.createRecord(account, ENROLLMENT, "self", Map.of("service", "did:web:localhost",
                "createdAt", Instant.now().toString()));
        String token = tokens.mint(account.did(), "test", Set.of(dev.atpin.auth.Scope.READ, dev.atpin.auth.Scope.WRITE),
                Optional.empty()).token();
        return new User(account, token);
    }

    String content() {
        byte[] data = new byte[4_000];
        ThreadLocalRandom.current().nextBytes(data);
        return outside.add(data);
    }

    String putPinRecord(User user, String cid, String name) {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", cid);
        record.put("name", name);
        record.put("origins", outside.swarmAddresses());
        record.put("createdAt", Instant.now().toString());
        pds.createRecord(user.account(), PIN, Cid.parse(cid).normalized(), record);
        return "at://" + user.did() + "/" + PIN + "/" + Cid.parse(cid).normalized();
    }

    static Optional<Map<String, Object>> requestFor(User user, String cid) {
        List<Map<String, Object>> results = user.api().queryParam("cid", cid).get("/psa/pins").then().statusCode(200)
                .extract().path("results");
        return results.isEmpty() ? Optional.empty() : Optional.of(results.getFirst());
    }

    static String statusOf(User user, String cid) {
        return requestFor(user, cid).map(r -> (String) r.get("status")).orElse("none");
    }

    static boolean clusterPins(String cid) {
        return TestStack.CLUSTER.stream().anyMatch(n -> KuboDaemon.attach(n).recursivePins().containsKey(cid));
    }

    void enroll(User user) {
        user.api().post("/api/v1/watcher/enrollment").then().statusCode(202);
        await().atMost(SOON).until(() -> "active".equals(user.api().get("/api/v1/watcher/status").path("state")));
    }

}
