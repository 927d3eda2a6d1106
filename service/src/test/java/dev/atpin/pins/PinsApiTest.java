package dev.atpin.pins;

import static org.assertj.core.api.Assertions.assertThat;
import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.everyItem;
import static org.hamcrest.Matchers.hasSize;
import static org.hamcrest.Matchers.matchesPattern;
import static org.hamcrest.Matchers.not;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.notNullValue;
import static org.hamcrest.Matchers.startsWith;

import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.ipld.Cid;
import dev.atpin.testing.Cids;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.response.Response;
import jakarta.inject.Inject;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** The Pinning Service API's contract, operation by operation, against the real stack. */
@QuarkusTest
class PinsApiTest {

    @Inject
    TokenService tokens;

    private Tenant tenant() {
        return Tenants.fresh(tokens);
    }

    private static Response add(Tenant t, Map<String, Object> pin) {
        return t.api().body(pin).post("/psa/pins");
    }

    private static String addId(Tenant t, Map<String, Object> pin) {
        return add(t, pin).then().statusCode(202).extract().path("requestid");
    }

    @Test
    void addAnswers202WithTheSpecsPinStatus() {
        Tenant t = tenant();
        String cid = Cids.unfetchable();
        add(t, Map.of("cid", cid, "name", "first", "meta", Map.of("app", "test")))
                .then().statusCode(202)
                .body("requestid", matchesPattern("[0-9a-f-]{36}"))
                .body("status", matchesPattern("queued|pinning"))
                .body("created", matchesPattern("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d\\.\\d{3}Z"))
                .body("pin.cid", equalTo(cid))
                .body("pin.name", equalTo("first"))
                .body("pin.meta.app", equalTo("test"))
                .body("delegates", not(empty()))
                .body("delegates", everyItem(matchesPattern("/ip4/.+/p2p/12D3Koo.+")))
                .body("info.source", equalTo("api"));
    }

    @Test
    void aCreatedRequestIsNamedInLocation() {
        Tenant t = tenant();
        Response added = add(t, Map.of("cid", Cids.unfetchable()));
        added.then().statusCode(202);
        String id = added.path("requestid");
        assertThat(added.header("Location")).endsWith("/psa/pins/" + id);
        Response replaced = t.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins/" + id);
        replaced.then().statusCode(202);
        assertThat(replaced.header("Location")).endsWith("/psa/pins/" + replaced.path("requestid"));
        t.api().get(java.net.URI.create(replaced.header("Location")).getPath()).then().statusCode(200);
    }

    @Test
    void theSameCidTwiceGivesTwoRequests() {
        Tenant t = tenant();
        String cid = Cids.unfetchable();
        String first = addId(t, Map.of("cid", cid));
        String second = addId(t, Map.of("cid", cid));
        assertThat(first).isNotEqualTo(second);
        t.api().queryParam("cid", cid).get("/psa/pins").then().statusCode(200).body("count", equalTo(2));
    }

    @Test
    void cidV0AndV1OfTheSameContentMatch() {
        Tenant t = tenant();
        String v0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
        String v1 = Cid.parse(v0).toV1().toString();
        addId(t, Map.of("cid", v0));
        t.api().queryParam("cid", v1).get("/psa/pins").then().statusCode(200)
                .body("count", equalTo(1)).body("results[0].pin.cid", equalTo(v0));
    }

    @Test
    void getReturnsTheRequestAndUnknownIdsAre404() {
        Tenant t = tenant();
        String id = addId(t, Map.of("cid", Cids.unfetchable(), "name", "x"));
        t.api().get("/psa/pins/" + id).then().statusCode(200).body("requestid", equalTo(id)).body("pin.name", equalTo("x"));
        t.api().get("/psa/pins/00000000-0000-0000-0000-000000000000").then().statusCode(404)
                .body("error.reason", equalTo("NOT_FOUND"));
        t.api().get("/psa/pins/not-a-uuid").then().statusCode(404).body("error.reason", equalTo("NOT_FOUND"));
    }

    @Test
    void withNoStatusOnlyPinnedAreListedUnlessAnotherFilterIsGiven() {
        Tenant t = tenant();
        String cid = Cids.unfetchable();
        addId(t, Map.of("cid", cid, "name", "never-pinned"));
        t.api().get("/psa/pins").then().statusCode(200).body("count", equalTo(0)).body("results", hasSize(0));
        t.api().queryParam("cid", cid).get("/psa/pins").then().body("count", equalTo(1));
        t.api().queryParam("name", "never-pinned").get("/psa/pins").then().body("count", equalTo(1));
        t.api().queryParam("meta", "{}").get("/psa/pins").then().body("count", equalTo(1));
        t.api().queryParam("before", Instant.now().plusSeconds(60).toString()).get("/psa/pins")
                .then().body("count", equalTo(1));
        t.api().queryParam("after", "2000-01-01T00:00:00Z").get("/psa/pins").then().body("count", equalTo(1));
        t.api().queryParam("status", "queued,pinning").get("/psa/pins").then().body("count", equalTo(1));
        t.api().queryParam("status", "pinned,failed").get("/psa/pins").then().body("count", equalTo(0));
    }

    @Test
    void nameMatchesExactlyOrCaseInsensitivelyOrPartially() {
        Tenant t = tenant();
        addId(t, Map.of("cid", Cids.unfetchable(), "name", "Holiday Photos 2026"));
        addId(t, Map.of("cid", Cids.unfetchable(), "name", "holiday photos 2026"));
        addId(t, Map.of("cid", Cids.unfetchable(), "name", "work_100%"));
        assertThat(countByName(t, "Holiday Photos 2026", null)).isEqualTo(1);
        assertThat(countByName(t, "Holiday Photos 2026", "exact")).isEqualTo(1);
        assertThat(countByName(t, "HOLIDAY PHOTOS 2026", "iexact")).isEqualTo(2);
        assertThat(countByName(t, "Photos", "partial")).isEqualTo(1);
        assertThat(countByName(t, "photos", "ipartial")).isEqualTo(2);
        assertThat(countByName(t, "_100%", "partial")).isEqualTo(1);
        assertThat(countByName(t, "%", "partial")).isEqualTo(1);
        assertThat(countByName(t, "nothing", "ipartial")).isEqualTo(0);
    }

    private static int countByName(Tenant t, String name, String match) {
        var spec = t.api().queryParam("name", name);
        if (match != null) {
            spec = spec.queryParam("match", match);
        }
        return spec.get("/psa/pins").then().statusCode(200).extract().path("count");
    }

    @Test
    void metaFiltersWithAndSemantics() {
        Tenant t = tenant();
        addId(t, Map.of("cid", Cids.unfetchable(), "meta", Map.of("app", "a", "env", "prod")));
        addId(t, Map.of("cid", Cids.unfetchable(), "meta", Map.of("app", "a", "env", "dev")));
        addId(t, Map.of("cid", Cids.unfetchable(), "meta", Map.of("app", "b")));
        assertThat(countByMeta(t, "{\"app\":\"a\"}")).isEqualTo(2);
        assertThat(countByMeta(t, "{\"app\":\"a\",\"env\":\"prod\"}")).isEqualTo(1);
        assertThat(countByMeta(t, "{\"app\":\"b\",\"env\":\"prod\"}")).isEqualTo(0);
    }

    @Test
    void aMetaFilterPagesOnlyTheTenantsOwnRequestsNewestFirst() {
        // The same meta value in two tenants (the index is per tenant, issue 11): each sees only its own,
        // paged newest first with the page's views, and the count is its own.
        Tenant alice = tenant();
        Tenant bob = tenant();
        List<String> alices = new ArrayList<>();
        for (int i = 0; i < 12; i++) {
            alices.add(addId(alice, Map.of("cid", Cids.unfetchable(), "name", "m-" + i, "meta", Map.of("batch", "b7"))));
            addId(bob, Map.of("cid", Cids.unfetchable(), "meta", Map.of("batch", "b7")));
        }
        addId(alice, Map.of("cid", Cids.unfetchable(), "meta", Map.of("batch", "b8")));
        Response page = alice.api().queryParam("meta", "{\"batch\":\"b7\"}").get("/psa/pins");
        page.then().statusCode(200).body("count", equalTo(12)).body("results", hasSize(10))
                .body("results.pin.meta.batch", everyItem(equalTo("b7")))
                .body("results.delegates", everyItem(notNullValue()));
        assertThat(page.<List<String>>path("results.requestid")).isEqualTo(alices.reversed().subList(0, 10));
        String last = page.<List<String>>path("results.created").getLast();
        alice.api().queryParam("meta", "{\"batch\":\"b7\"}").queryParam("before", last).get("/psa/pins")
                .then().statusCode(200).body("count", equalTo(2))
                .body("results.requestid", equalTo(alices.reversed().subList(10, 12)));
    }

    private static int countByMeta(Tenant t, String meta) {
        return t.api().queryParam("meta", meta).get("/psa/pins").then().statusCode(200).extract().path("count");
    }

    @Test
    void pagingWithBeforeVisitsEveryPinOnceNewestFirst() {
        Tenant t = tenant();
        Set<String> added = new HashSet<>();
        for (int i = 0; i < 27; i++) {
            added.add(addId(t, Map.of("cid", Cids.unfetchable(), "name", "page-" + i)));
        }
        List<String> seen = new ArrayList<>();
        List<String> created = new ArrayList<>();
        String before = null;
        while (true) {
            var spec = t.api().queryParam("status", "queued,pinning,pinned,failed");
            if (before != null) {
                spec = spec.queryParam("before", before);
            }
            Response page = spec.get("/psa/pins");
            page.then().statusCode(200);
            List<String> ids = page.path("results.requestid");
            List<String> times = page.path("results.created");
            int count = page.path("count");
            assertThat(count).isEqualTo(27 - seen.size());
            assertThat(ids.size()).isLessThanOrEqualTo(10);
            if (ids.isEmpty()) {
                break;
            }
            seen.addAll(ids);
            created.addAll(times);
            before = times.getLast();
        }
        assertThat(seen).hasSize(27).doesNotHaveDuplicates();
        assertThat(new HashSet<>(seen)).isEqualTo(added);
        assertThat(created).isSortedAccordingTo((a, b) -> b.compareTo(a));
        assertThat(new HashSet<>(created)).hasSize(27);
    }

    /** Counts with a cursor come from either side of it (ADR 0112): exact wherever the cursor falls. */
    @Test
    void countWithACursorIsExactOnBothSidesOfIt() {
        Tenant t = tenant();
        List<String> created = new ArrayList<>();
        for (int i = 0; i < 15; i++) {
            String id = addId(t, Map.of("cid", Cids.unfetchable()));
            created.add(t.api().get("/psa/pins/" + id).path("created"));
        }
        String every = "queued,pinning,pinned,failed";
        for (int i = 0; i < created.size(); i++) {
            int older = t.api().queryParam("status", every).queryParam("before", created.get(i)).queryParam("limit", 1)
                    .get("/psa/pins").then().statusCode(200).extract().path("count");
            int newer = t.api().queryParam("status", every).queryParam("after", created.get(i)).queryParam("limit", 1)
                    .get("/psa/pins").then().statusCode(200).extract().path("count");
            assertThat(older).as("before the %dth", i).isEqualTo(i);
            assertThat(newer).as("after the %dth", i).isEqualTo(created.size() - 1 - i);
        }
    }

    @Test
    void beforeAndAfterAreStrictlyExclusive() {
        Tenant t = tenant();
        String a = addId(t, Map.of("cid", Cids.unfetchable()));
        String b = addId(t, Map.of("cid", Cids.unfetchable()));
        String c = addId(t, Map.of("cid", Cids.unfetchable()));
        String createdB = t.api().get("/psa/pins/" + b).path("created");
        List<String> older = t.api().queryParam("before", createdB).get("/psa/pins").path("results.requestid");
        List<String> newer = t.api().queryParam("after", createdB).get("/psa/pins").path("results.requestid");
        assertThat(older).containsExactly(a);
        assertThat(newer).containsExactly(c);
    }

    @Test
    void limitIsHonouredAndCountIsTheTotal() {
        Tenant t = tenant();
        for (int i = 0; i < 12; i++) {
            addId(t, Map.of("cid", Cids.unfetchable(), "name", "lim"));
        }
        t.api().queryParam("name", "lim").get("/psa/pins").then().body("results", hasSize(10)).body("count", equalTo(12));
        t.api().queryParam("name", "lim").queryParam("limit", 3).get("/psa/pins").then()
                .body("results", hasSize(3)).body("count", equalTo(12));
        t.api().queryParam("name", "lim").queryParam("limit", 1000).get("/psa/pins").then().body("results", hasSize(12));
    }

    @Test
    void replaceCreatesANewRequestAndTheOldOneIsGone() {
        Tenant t = tenant();
        String old = addId(t, Map.of("cid", Cids.unfetchable(), "name", "v1"));
        String newCid = Cids.unfetchable();
        String replacement = t.api().body(Map.of("cid", newCid, "name", "v2")).post("/psa/pins/" + old)
                .then().statusCode(202).body("pin.cid", equalTo(newCid)).body("pin.name", equalTo("v2"))
                .extract().path("requestid");
        assertThat(replacement).isNotEqualTo(old);
        t.api().get("/psa/pins/" + old).then().statusCode(404);
        t.api().get("/psa/pins/" + replacement).then().statusCode(200);
        t.api().body(Map.of("cid", newCid)).post("/psa/pins/" + old).then().statusCode(404);
    }

    @Test
    void deleteAnswers202AndTheRequestIsGone() {
        Tenant t = tenant();
        String id = addId(t, Map.of("cid", Cids.unfetchable()));
        t.api().delete("/psa/pins/" + id).then().statusCode(202);
        t.api().get("/psa/pins/" + id).then().statusCode(404);
        t.api().delete("/psa/pins/" + id).then().statusCode(404).body("error.reason", equalTo("NOT_FOUND"));
    }

    @Test
    void anotherTenantsRequestIsNotFoundOnEveryOperation() {
        Tenant alice = tenant();
        Tenant bob = tenant();
        String cid = Cids.unfetchable();
        String id = addId(alice, Map.of("cid", cid, "name", "alice's"));
        bob.api().get("/psa/pins/" + id).then().statusCode(404).body("error.reason", equalTo("NOT_FOUND"));
        bob.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins/" + id).then().statusCode(404);
        bob.api().delete("/psa/pins/" + id).then().statusCode(404);
        bob.api().queryParam("cid", cid).get("/psa/pins").then().body("count", equalTo(0));
        bob.api().queryParam("name", "alice's").get("/psa/pins").then().body("count", equalTo(0));
        alice.api().get("/psa/pins/" + id).then().statusCode(200);
    }

    @Test
    void badInputIs400WithAReasonThatSaysWhatWasWrong() {
        Tenant t = tenant();
        expect400(add(t, Map.of("cid", "not-a-cid")), "INVALID_CID");
        expect400(add(t, Map.of("name", "no cid")), "MISSING_CID");
        expect400(add(t, Map.of("cid", Cids.unfetchable(), "name", "n".repeat(256))), "NAME_TOO_LONG");
        List<String> origins = new ArrayList<>();
        for (int i = 0; i < 21; i++) {
            origins.add("/ip4/127.0.0.1/tcp/" + (4000 + i));
        }
        expect400(add(t, Map.of("cid", Cids.unfetchable(), "origins", origins)), "TOO_MANY_ORIGINS");
        expect400(add(t, Map.of("cid", Cids.unfetchable(), "origins", List.of("not a multiaddr"))), "INVALID_ORIGINS");
        expect400(add(t, Map.of("cid", Cids.unfetchable(), "meta", Map.of("n", 1))), "INVALID_META");
        expect400(t.api().body("{\"cid\": ").post("/psa/pins"), "BAD_REQUEST_BODY");
        expect400(t.api().body("[1,2]").post("/psa/pins"), "BAD_REQUEST_BODY");
        expect400(t.api().queryParam("limit", 0).get("/psa/pins"), "INVALID_LIMIT");
        expect400(t.api().queryParam("limit", 1001).get("/psa/pins"), "INVALID_LIMIT");
        expect400(t.api().queryParam("limit", "ten").get("/psa/pins"), "INVALID_LIMIT");
        expect400(t.api().queryParam("meta", "{not json").get("/psa/pins"), "INVALID_META");
        expect400(t.api().queryParam("meta", "[\"a\"]").get("/psa/pins"), "INVALID_META");
        expect400(t.api().queryParam("before", "yesterday").get("/psa/pins"), "INVALID_TIMESTAMP");
        expect400(t.api().queryParam("after", "2026-13-45T00:00:00Z").get("/psa/pins"), "INVALID_TIMESTAMP");
        expect400(t.api().queryParam("status", "done").get("/psa/pins"), "INVALID_STATUS");
        expect400(t.api().queryParam("match", "fuzzy").queryParam("name", "x").get("/psa/pins"), "INVALID_MATCH");
        expect400(t.api().queryParam("cid", "nope").get("/psa/pins"), "INVALID_CID");
        List<String> cids = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            cids.add(Cids.unfetchable());
        }
        expect400(t.api().queryParam("cid", String.join(",", cids)).get("/psa/pins"), "TOO_MANY_CIDS");
        expect400(t.api().queryParam("name", "n".repeat(256)).get("/psa/pins"), "NAME_TOO_LONG");
    }

    @Test
    void anOversizedBodyIsRefused() {
        Tenant t = tenant();
        t.api().body(Map.of("cid", Cids.unfetchable(), "name", "x".repeat(200_000))).post("/psa/pins")
                .then().statusCode(413).body("error.reason", equalTo("BODY_TOO_LARGE"));
    }

    private static void expect400(Response r, String reason) {
        r.then().statusCode(400).body("error.reason", equalTo(reason)).body("error.details", notNullValue());
    }

    @Test
    void missingBadRevokedOrExpiredTokensAre401WithTheFailureBody() {
        RestAssured.given().get("/psa/pins").then().statusCode(401).body("error.reason", equalTo("UNAUTHORIZED"));
        RestAssured.given().header("Authorization", "Bearer nonsense").get("/psa/pins").then().statusCode(401)
                .body("error.reason", equalTo("UNAUTHORIZED"));
        RestAssured.given().header("Authorization", "Basic dXNlcjpwYXNz").get("/psa/pins").then().statusCode(401);
        Tenant t = tenant();
        t.api().get("/psa/pins").then().statusCode(200);
        String tampered = t.token().substring(0, t.token().length() - 4) + "AAAA";
        RestAssured.given().header("Authorization", "Bearer " + tampered).get("/psa/pins").then().statusCode(401);

        var minted = tokens.mint(t.did(), "to revoke", Set.of(Scope.READ), Optional.empty());
        RestAssured.given().header("Authorization", "Bearer " + minted.token()).get("/psa/pins").then().statusCode(200);
        assertThat(tokens.revoke(t.did(), minted.id())).isTrue();
        RestAssured.given().header("Authorization", "Bearer " + minted.token()).get("/psa/pins").then().statusCode(401)
                .body("error.reason", equalTo("UNAUTHORIZED"));

        var expired = tokens.mint(t.did(), "expired", Set.of(Scope.READ), Optional.of(Instant.now().minusSeconds(5)));
        RestAssured.given().header("Authorization", "Bearer " + expired.token()).get("/psa/pins").then().statusCode(401);
    }

    @Test
    void aReadOnlyTokenCannotWrite() {
        Tenant reader = Tenants.fresh(tokens, Set.of(Scope.READ));
        reader.api().get("/psa/pins").then().statusCode(200);
        reader.api().body(Map.of("cid", Cids.unfetchable())).post("/psa/pins").then().statusCode(403)
                .body("error.reason", equalTo("INSUFFICIENT_SCOPE"));
    }

    @Test
    void unknownPathsAndMethodsAnswerInTheFailureShape() {
        Tenant t = tenant();
        t.api().put("/psa/pins").then().statusCode(405).body("error.reason", startsWith("METHOD_NOT_ALLOWED"));
    }
}
