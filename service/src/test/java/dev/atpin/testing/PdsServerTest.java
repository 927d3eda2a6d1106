package dev.atpin.testing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.testing.PdsServer.Account;
import dev.atpin.testing.PdsServer.RecordRef;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The reference PDS test peer itself: it starts, makes accounts, writes records and serves identities. */
class PdsServerTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static PdsServer pds;

    @BeforeAll
    static void startPds() {
        pds = PdsServer.start();
    }

    @AfterAll
    static void stopPds() {
        if (pds != null) {
            pds.close();
        }
    }

    @Test
    void pdsAndPlcListenOnLoopbackWithTheAdvertisedUrls() throws Exception {
        assertThat(pds.pdsUrl()).matches("http://localhost:\\d+");
        assertThat(pds.plcUrl()).matches("http://127\\.0\\.0\\.1:\\d+");
        JsonNode server = pds.xrpcGet("com.atproto.server.describeServer", "");
        assertThat(server.path("availableUserDomains").toString()).contains(".test");
        assertThat(get(pds.plcUrl() + "/_health").statusCode()).isEqualTo(200);
    }

    @Test
    void createsAnAccountWithADidPlcAndASession() {
        Account account = pds.createAccount("create" + suffix());
        assertThat(account.did()).startsWith("did:plc:");
        assertThat(account.handle()).endsWith(".test");
        assertThat(account.accessJwt()).isNotBlank();
    }

    @Test
    void aRecordCanBeCreatedReadAndDeleted() {
        Account account = pds.createAccount("records" + suffix());
        String rkey = "bafkreihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";
        RecordRef ref = pds.createRecord(account, "dev.atpin.pin", rkey, Map.of("cid", rkey, "createdAt",
                "2025-01-01T00:00:00.000Z"));
        assertThat(ref.uri()).isEqualTo("at://" + account.did() + "/dev.atpin.pin/" + rkey);
        assertThat(ref.cid()).startsWith("bafyrei");
        assertThat(pds.getRecord(account.did(), "dev.atpin.pin", rkey)).hasValueSatisfying(
                value -> assertThat(value.path("cid").asText()).isEqualTo(rkey));

        pds.deleteRecord(account, "dev.atpin.pin", rkey);

        assertThat(pds.getRecord(account.did(), "dev.atpin.pin", rkey)).isEmpty();
    }

    @Test
    void thePlcServesTheDidDocumentPointingAtThisPds() throws Exception {
        Account account = pds.createAccount("plc" + suffix());
        HttpResponse<String> response = get(pds.plcUrl() + "/" + account.did());
        assertThat(response.statusCode()).isEqualTo(200);
        JsonNode doc = JSON.readTree(response.body());
        assertThat(doc.path("id").asText()).isEqualTo(account.did());
        assertThat(doc.path("alsoKnownAs").get(0).asText()).isEqualTo("at://" + account.handle());
        assertThat(doc.path("service").get(0).path("serviceEndpoint").asText()).isEqualTo(pds.pdsUrl());
        assertThat(doc.path("verificationMethod").get(0).path("publicKeyMultibase").asText()).startsWith("z");
    }

    @Test
    void theHandleResolvesThroughThePds() {
        Account account = pds.createAccount("handle" + suffix());
        JsonNode resolved = pds.xrpcGet("com.atproto.identity.resolveHandle", "handle=" + account.handle());
        assertThat(resolved.path("did").asText()).isEqualTo(account.did());
    }

    private static String suffix() {
        return Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }

    private static HttpResponse<String> get(String url) throws Exception {
        try (HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).GET().build(), HttpResponse.BodyHandlers.ofString());
        }
    }
}
