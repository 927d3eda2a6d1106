package dev.atpin.process;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.db.EmbeddedDatabase;
import dev.atpin.testing.FastDispatch;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.ServiceProcess;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ThreadLocalRandom;
import org.awaitility.Awaitility;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Kubo nodes whose RPC API is behind Kubo's {@code API.Authorizations}, with the packaged service, real Postgres and
 * real daemons on loopback: a configured node with the right bearer secret and a node registered through the admin
 * API with a basic one take pins like open nodes; a node given a wrong secret is reported not usable with a clear
 * error while the service stays ready and places nothing there; no secret ever shows in the service's log or in an
 * admin answer. Every secret is drawn for this run. The tests build on each other (the registration comes second).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KuboRpcAuthorizationIT {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private static final String OPERATOR = "did:plc:rpcauthoperatoraaaaaaaaaa";
    private static final Duration WITHIN = Duration.ofSeconds(45);

    private static final String BEARER_TOKEN = secret();
    private static final String BASIC_PASSWORD = secret();
    private static final String LOCKED_TOKEN = secret();
    private static final String WRONG_TOKEN = secret();

    private static EmbeddedPostgres postgres;
    private static KuboDaemon origin;
    /** Configured with the right bearer secret. */
    private static KuboDaemon bearer;
    /** Registered through the admin API with the right basic credentials. */
    private static KuboDaemon basic;
    /** Configured with a wrong bearer secret. */
    private static KuboDaemon locked;
    private static ServiceProcess service;
    private static String operatorToken;
    /** Every answer of the admin API this test read, searched for secrets at the end. */
    private static final List<String> adminAnswers = new ArrayList<>();

    @BeforeAll
    static void startStack() throws IOException {
        postgres = EmbeddedDatabase.start(Files.createTempDirectory("atpin-rpcauth-pg-").resolve("data"), 0, false);
        origin = KuboDaemon.start("rpcauth-origin");
        bearer = KuboDaemon.startProtected("rpcauth-bearer", "bearer:" + BEARER_TOKEN);
        basic = KuboDaemon.startProtected("rpcauth-basic", "basic:atpin:" + BASIC_PASSWORD);
        locked = KuboDaemon.startProtected("rpcauth-locked", "bearer:" + LOCKED_TOKEN);
        for (KuboDaemon node : List.of(bearer, basic, locked)) {
            origin.connect(node);
        }
        Map<String, String> env = new LinkedHashMap<>();
        env.put("QUARKUS_DATASOURCE_JDBC_URL", EmbeddedDatabase.jdbcUrl(postgres));
        env.put("QUARKUS_DATASOURCE_USERNAME", "postgres");
        env.put("QUARKUS_DATASOURCE_PASSWORD", "postgres");
        env.put("ATPIN_KUBO_NODES_BEARER_RPC_URL", bearer.apiUrl());
        env.put("ATPIN_KUBO_NODES_BEARER_AUTHORIZATION", "Bearer " + BEARER_TOKEN);
        env.put("ATPIN_KUBO_NODES_LOCKED_RPC_URL", locked.apiUrl());
        env.put("ATPIN_KUBO_NODES_LOCKED_AUTHORIZATION", "Bearer " + WRONG_TOKEN);
        env.put("ATPIN_ACCOUNTS_OPERATORS", OPERATOR);
        env.putAll(FastDispatch.env());
        service = ServiceProcess.create("rpcauth-service", env);
        service.start();
        operatorToken = service.mintToken(OPERATOR, "read,write,admin");
    }

    @AfterAll
    static void stopStack() throws IOException {
        if (service != null) {
            service.stop();
        }
        for (KuboDaemon node : new KuboDaemon[] {bearer, basic, locked, origin}) {
            if (node != null) {
                node.close();
            }
        }
        if (postgres != null) {
            postgres.close();
        }
    }

    @Test
    @Order(1)
    void aConfiguredNodeWithTheRightBearerSecretIsHealthyAndTakesPinsWhileKuboRefusesRequestsWithoutIt()
            throws Exception {
        // The protection is really on: no header, or another secret, is refused by Kubo itself.
        assertThat(bearer.rpcStatus("id", Optional.empty())).isIn(401, 403);
        assertThat(bearer.rpcStatus("id", Optional.of("Bearer " + WRONG_TOKEN))).isIn(401, 403);
        assertThat(bearer.rpcStatus("id", Optional.of("Bearer " + BEARER_TOKEN))).isEqualTo(200);

        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            JsonNode node = node("bearer");
            assertThat(node.path("healthy").asBoolean()).as(node.toString()).isTrue();
            assertThat(node.path("state").asText()).isEqualTo("active");
            assertThat(node.path("peerId").asText()).isEqualTo(bearer.peerId());
        });

        // The only usable node so far: a free tenant's one copy lands there.
        String token = service.mintToken("did:plc:rpcauthfree1aaaaaaaaaaaaaaa", "read,write");
        String cid = origin.add(random(2_000));
        String request = pin(token, cid);
        awaitPinned(token, request);
        assertThat(ours(bearer, cid)).isTrue();
        assertThat(ours(locked, cid)).isFalse();
    }

    @Test
    @Order(2)
    void aNodeRegisteredThroughTheAdminApiWithBasicCredentialsTakesPinsTheSameWay() throws Exception {
        assertThat(basic.rpcStatus("id", Optional.empty())).isIn(401, 403);
        String header = KuboDaemon.authorizationHeader("basic:atpin:" + BASIC_PASSWORD);
        String body = JSON.writeValueAsString(Map.of("name", "basic", "rpcUrl", basic.apiUrl(),
                "authorization", header, "reason", "rpc authorization test"));
        HttpResponse<String> created = send("POST", "/admin/v1/nodes", operatorToken, body);
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode registered = JSON.readTree(created.body());
        assertThat(registered.path("source").asText()).isEqualTo("admin-api");
        assertThat(registered.path("peerId").asText()).as(created.body()).isEqualTo(basic.peerId());
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() ->
                assertThat(node("basic").path("state").asText()).isEqualTo("active"));

        // Two copies wanted, two usable nodes (bearer, basic): both hold one, the wrong-secret node none.
        String did = "did:plc:rpcauthpro1aaaaaaaaaaaaaaaa";
        String token = service.mintToken(did, "read,write");
        admin("PATCH", "/admin/v1/accounts/" + did, "{\"plan\":\"pro\"}");
        String cid = origin.add(random(2_100));
        String request = pin(token, cid);
        awaitPinned(token, request);
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(ours(bearer, cid)).as("bearer holds it").isTrue();
            assertThat(ours(basic, cid)).as("basic holds it").isTrue();
        });
        assertThat(ours(locked, cid)).isFalse();
    }

    @Test
    @Order(3)
    void aNodeWithAWrongSecretIsReportedNotUsableWithAClearErrorWhileTheServiceStaysReady() throws Exception {
        // Kubo answers the wrong secret with 403: the node is up, only our credentials are wrong.
        assertThat(locked.rpcStatus("id", Optional.of("Bearer " + WRONG_TOKEN))).isIn(401, 403);
        JsonNode node = node("locked");
        assertThat(node.path("healthy").asBoolean()).as(node.toString()).isFalse();
        assertThat(node.path("state").asText()).as(node.toString()).isNotEqualTo("active");
        assertThat(node.path("lastError").asText()).as(node.toString())
                .containsIgnoringCase("authorization");
        assertThat(node.path("placements").path("pinned").asLong()).isZero();
        assertThat(node.path("placements").path("pinning").asLong()).isZero();

        HttpResponse<String> all = send("GET", "/admin/v1/nodes", operatorToken, null);
        assertThat(all.statusCode()).as(all.body()).isEqualTo(200);
        adminAnswers.add(all.body());

        HttpResponse<String> ready = send("GET", "/q/health/ready", null, null);
        assertThat(ready.statusCode()).as(ready.body()).isEqualTo(200);
        adminAnswers.add(ready.body());
        JsonNode kubo = null;
        for (JsonNode check : JSON.readTree(ready.body()).path("checks")) {
            if (check.path("name").asText().equals("kubo")) {
                kubo = check.path("data");
            }
        }
        assertThat(kubo).as(ready.body()).isNotNull();
        assertThat(kubo.path("usable").asInt()).as(ready.body()).isEqualTo(2);
        assertThat(kubo.path("locked.error").asText()).as(ready.body()).containsIgnoringCase("authorization");
        assertThat(service.status("/q/health/ready")).isEqualTo(200);
    }

    @Test
    @Order(4)
    void noSecretShowsInTheServiceLogNorInAnyAdminAnswer() throws Exception {
        // The registration's audit entry says that there is an authorization, never what it is.
        HttpResponse<String> audit = send("GET", "/admin/v1/audit?target=node:basic", operatorToken, null);
        assertThat(audit.statusCode()).as(audit.body()).isEqualTo(200);
        assertThat(audit.body()).contains("node.register").contains("\"authorization\":true");
        adminAnswers.add(audit.body());
        adminAnswers.add(node("basic").toString());
        String log = Files.readString(service.log());
        assertThat(log).as("the service log").isNotBlank();
        String basicHeader = KuboDaemon.authorizationHeader("basic:atpin:" + BASIC_PASSWORD);
        for (String secret : List.of(BEARER_TOKEN, BASIC_PASSWORD, LOCKED_TOKEN, WRONG_TOKEN,
                basicHeader.substring("Basic ".length()))) {
            assertThat(log).as("the service log").doesNotContain(secret);
            for (String answer : adminAnswers) {
                assertThat(answer).as("an admin answer").doesNotContain(secret);
            }
        }
    }

    // --- helpers

    /** 32 random bytes in hex: a secret of this run only. */
    private static String secret() {
        byte[] bytes = new byte[32];
        new SecureRandom().nextBytes(bytes);
        return HexFormat.of().formatHex(bytes);
    }

    private static String pin(String token, String cid) throws Exception {
        String body = JSON.writeValueAsString(Map.of("cid", cid, "origins", origin.swarmAddresses()));
        HttpResponse<String> r = send("POST", "/psa/pins", token, body);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
        return JSON.readTree(r.body()).path("requestid").asText();
    }

    private static void awaitPinned(String token, String request) {
        Awaitility.await().atMost(WITHIN).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            HttpResponse<String> r = send("GET", "/psa/pins/" + request, token, null);
            assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
            assertThat(JSON.readTree(r.body()).path("status").asText()).as(r.body()).isEqualTo("pinned");
        });
    }

    /** Whether {@code node} holds our pin of {@code cid} (asked of Kubo itself, with the right secret). */
    private static boolean ours(KuboDaemon node, String cid) {
        return node.recursivePins().getOrDefault(cid, "").startsWith("atpin:");
    }

    private static JsonNode node(String name) throws Exception {
        HttpResponse<String> r = send("GET", "/admin/v1/nodes/" + name, operatorToken, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        synchronized (adminAnswers) {
            adminAnswers.add(r.body());
        }
        return JSON.readTree(r.body());
    }

    private static void admin(String method, String path, String body) throws Exception {
        HttpResponse<String> r = send(method, path, operatorToken, body);
        assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isEqualTo(200);
        adminAnswers.add(r.body());
    }

    private static HttpResponse<String> send(String method, String path, String token, String body) throws Exception {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(service.baseUrl() + path))
                .timeout(Duration.ofSeconds(30));
        if (token != null) {
            request.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            request.header("Content-Type", "application/json");
        }
        request.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        return HTTP.send(request.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] random(int size) {
        byte[] data = new byte[size];
        ThreadLocalRandom.current().nextBytes(data);
        return data;
    }
}
