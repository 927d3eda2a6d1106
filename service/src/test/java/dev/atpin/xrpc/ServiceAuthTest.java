package dev.atpin.xrpc;

import static org.hamcrest.Matchers.equalTo;
import static org.hamcrest.Matchers.matchesPattern;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.testing.Cids;
import dev.atpin.testing.PdsServer;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import io.restassured.http.ContentType;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.Test;

/** Apps pin for their users with service-auth JWTs minted by the user's real PDS. */
@QuarkusTest
class ServiceAuthTest {

    private static final String SERVICE = "did:web:localhost";

    private final PdsServer pds = PdsServer.attach();

    private PdsServer.Account user() {
        return pds.createAccount("s" + Long.toHexString(ThreadLocalRandom.current().nextLong()).substring(0, 8));
    }

    private String serviceAuth(PdsServer.Account user, String aud, String lxm, Long exp) {
        String query = "aud=" + aud + "&lxm=" + lxm + (exp == null ? "" : "&exp=" + exp);
        JsonNode body = pds.xrpcGet("com.atproto.server.getServiceAuth", query, user);
        return body.path("token").asText();
    }

    private static io.restassured.specification.RequestSpecification as(String token) {
        return RestAssured.given().header("Authorization", "Bearer " + token).contentType(ContentType.JSON);
    }

    @Test
    void aTokenFromTheUsersPdsPinsForTheUserAndWorksOnce() {
        PdsServer.Account user = user();
        String cid = Cids.unfetchable();
        String token = serviceAuth(user, SERVICE, "dev.atpin.pins.addPin", null);
        String id = as(token).body(Map.of("cid", cid, "name", "from an app")).post("/xrpc/dev.atpin.pins.addPin")
                .then().statusCode(200).body("pin.cid", equalTo(cid)).body("requestid", matchesPattern("[0-9a-f-]{36}"))
                .extract().path("requestid");
        as(token).body(Map.of("cid", cid)).post("/xrpc/dev.atpin.pins.addPin").then().statusCode(401)
                .body("error", equalTo("InvalidToken")).body("message", equalTo("the token was already used"));

        String get = serviceAuth(user, SERVICE, "dev.atpin.pins.getPin", null);
        as(get).queryParam("requestid", id).get("/xrpc/dev.atpin.pins.getPin").then().statusCode(200)
                .body("pin.name", equalTo("from an app"));
        String list = serviceAuth(user, SERVICE, "dev.atpin.pins.listPins", null);
        as(list).queryParam("cid", cid).get("/xrpc/dev.atpin.pins.listPins").then().statusCode(200)
                .body("count", equalTo(1));
        String remove = serviceAuth(user, SERVICE, "dev.atpin.pins.removePin", null);
        as(remove).body(Map.of("requestid", id)).post("/xrpc/dev.atpin.pins.removePin").then().statusCode(200);
    }

    @Test
    void wrongAudienceWrongMethodExpiredAndForgedTokensAreRefused() throws Exception {
        PdsServer.Account user = user();
        as(serviceAuth(user, "did:web:someone-else.example", "dev.atpin.pins.addPin", null))
                .body(Map.of("cid", Cids.unfetchable())).post("/xrpc/dev.atpin.pins.addPin")
                .then().statusCode(401).body("message", equalTo("'aud' must be " + SERVICE));
        as(serviceAuth(user, SERVICE, "dev.atpin.pins.listPins", null))
                .body(Map.of("cid", Cids.unfetchable())).post("/xrpc/dev.atpin.pins.addPin")
                .then().statusCode(401).body("message", equalTo("'lxm' must be dev.atpin.pins.addPin"));
        String shortLived = serviceAuth(user, SERVICE, "dev.atpin.pins.addPin", Instant.now().getEpochSecond() + 2);
        Thread.sleep(3_000);
        as(shortLived).body(Map.of("cid", Cids.unfetchable())).post("/xrpc/dev.atpin.pins.addPin")
                .then().statusCode(401).body("message", equalTo("the token has expired"));
        // A token of another account, with its payload swapped for ours: the signature no longer holds.
        String other = serviceAuth(user(), SERVICE, "dev.atpin.pins.addPin", null);
        String mine = serviceAuth(user, SERVICE, "dev.atpin.pins.addPin", null);
        String[] a = other.split("\\.");
        String[] b = mine.split("\\.");
        as(b[0] + "." + b[1] + "." + a[2]).body(Map.of("cid", Cids.unfetchable())).post("/xrpc/dev.atpin.pins.addPin")
                .then().statusCode(401).body("error", equalTo("InvalidToken"));
        RestAssured.given().contentType(ContentType.JSON).body(Map.of("cid", Cids.unfetchable()))
                .post("/xrpc/dev.atpin.pins.addPin").then().statusCode(401).body("error", equalTo("AuthenticationRequired"));
    }

    @Test
    void badInputAnswersInXrpcsErrorShape() {
        PdsServer.Account user = user();
        as(serviceAuth(user, SERVICE, "dev.atpin.pins.addPin", null)).body(Map.of("cid", "not-a-cid"))
                .post("/xrpc/dev.atpin.pins.addPin").then().statusCode(400).body("error", equalTo("InvalidCid"));
    }

    @Test
    void ourDidDocumentNamesThePinningService() {
        RestAssured.given().get("/.well-known/did.json").then().statusCode(200)
                .body("id", equalTo(SERVICE))
                .body("service[0].id", equalTo("#atpin_pins"))
                .body("service[0].type", equalTo("AtpinPinningService"));
    }
}
