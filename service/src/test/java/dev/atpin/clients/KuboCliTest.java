package dev.atpin.clients;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.hamcrest.Matchers.empty;
import static org.hamcrest.Matchers.equalTo;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.KuboDaemon;
import dev.atpin.testing.TestStack;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Kubo's own Pinning Service API client, {@code ipfs pin remote}, against the running service:
 * the real {@code ipfs} CLI talks to the {@code outside} daemon, which calls the service over
 * loopback, and the service pins on a cluster node ({@code node-a} or {@code node-b}).
 */
@QuarkusTest
class KuboCliTest {

    private static final Duration CLI_TIMEOUT = Duration.ofSeconds(120);
    private static final String SERVICE = "atpin";
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final SecureRandom RANDOM = new SecureRandom();

    @Inject
    TokenService tokens;

    @TestHTTPResource("/")
    URL url;

    private Path ipfs;
    private KuboDaemon outside;

    @BeforeEach
    void findKubo() {
        ipfs = KuboDaemon.binary();
        outside = KuboDaemon.attach(TestStack.OUTSIDE);
    }

    @Test
    void aPinAddedWithKubosCliIsPinnedOnAClusterNodeListedCountedAndRemoved() {
        Tenant tenant = Tenants.fresh(tokens);
        registerService(tenant);
        String cid = addToOutsideNode("--cid-version=1");
        assertThat(cid).as("a CIDv1 from the outside node is base32 and already normalized").startsWith("baf");
        String name = "kubo-cli-" + UUID.randomUUID();

        Command.Result added = ok(ipfsCli("pin", "remote", "add", "--service=" + SERVICE, "--name=" + name, cid));
        assertThat(added.stdout()).containsPattern("CID:\\s+" + cid).containsPattern("Name:\\s+" + name)
                .containsPattern("Status:\\s+pinned");
        assertThat(clusterPinsOf(cid)).as("recursive pins of %s on the cluster nodes", cid)
                .isNotEmpty().allSatisfy(pinName -> assertThat(pinName).isEqualTo("atpin:" + cid));

        List<JsonNode> pinned = remoteLs("--status=pinned");
        assertThat(pinned).as("ls --status=pinned").hasSize(1);
        assertThat(pinned.getFirst().path("Cid").asText()).isEqualTo(cid);
        assertThat(pinned.getFirst().path("Name").asText()).isEqualTo(name);
        assertThat(pinned.getFirst().path("Status").asText()).isEqualTo("pinned");
        assertThat(remoteLs("--cid=" + cid)).as("ls --cid").extracting(p -> p.path("Cid").asText()).containsExactly(cid);
        assertThat(remoteLs("--name=" + name)).as("ls --name").extracting(p -> p.path("Name").asText())
                .containsExactly(name);
        assertThat(remoteLs("--status=queued,pinning")).as("ls --status=queued,pinning").isEmpty();
        String text = ok(ipfsCli("pin", "remote", "ls", "--service=" + SERVICE, "--cid=" + cid)).stdout();
        assertThat(text).as("text output of ls").isEqualTo(cid + "\tpinned\t" + name + "\n");

        JsonNode services = json(ok(ipfsCli("pin", "remote", "service", "ls", "--stat", "--enc=json")).stdout());
        JsonNode ours = null;
        for (JsonNode s : services.path("RemoteServices")) {
            if (SERVICE.equals(s.path("Service").asText())) {
                ours = s;
            }
        }
        assertThat(ours).as("service ls --stat lists %s: %s", SERVICE, services).isNotNull();
        assertThat(ours.path("ApiEndpoint").asText()).isEqualTo(endpoint());
        assertThat(ours.path("Stat").path("Status").asText()).as("stat of %s", ours).isEqualTo("valid");
        JsonNode counts = ours.path("Stat").path("PinCount");
        assertThat(counts.path("Pinned").asInt()).as("pinned count in %s", ours).isGreaterThanOrEqualTo(1);
        assertThat(counts.path("Queued").asInt()).as("queued count in %s", ours).isZero();
        assertThat(counts.path("Pinning").asInt()).as("pinning count in %s", ours).isZero();
        assertThat(counts.path("Failed").asInt()).as("failed count in %s", ours).isZero();
        assertThat(ok(ipfsCli("pin", "remote", "service", "ls", "--stat")).stdout())
                .as("the text form users see").containsPattern("(?m)^" + SERVICE + "\\s+" + endpoint() + "\\s+0/0/1/0$");

        ok(ipfsCli("pin", "remote", "rm", "--service=" + SERVICE, "--cid=" + cid));
        tenant.api().queryParam("cid", cid).get("/psa/pins").then()
                .statusCode(200).body("count", equalTo(0)).body("results", empty());
        assertThat(remoteLs("--cid=" + cid, "--status=queued,pinning,pinned,failed")).as("ls after rm").isEmpty();
        await("the cluster releases the unwanted pin after its grace period").atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> assertThat(clusterPinsOf(cid)).isEmpty());
    }

    @Test
    void aCidV0PinnedWithKubosCliMatchesItsCidV1Form() {
        Tenant tenant = Tenants.fresh(tokens);
        registerService(tenant);
        String v0 = addToOutsideNode("--cid-version=0");
        assertThat(v0).as("ipfs add --cid-version=0").startsWith("Qm");
        String v1 = ok(ipfsCli("cid", "format", "-v", "1", "-b", "base32", v0)).stdout().strip();
        assertThat(v1).startsWith("bafybei");
        String name = "kubo-cli-v0-" + UUID.randomUUID();

        ok(ipfsCli("pin", "remote", "add", "--service=" + SERVICE, "--name=" + name, v0));
        assertThat(clusterPinsOf(v1)).as("recursive pins of %s (= %s) on the cluster nodes", v1, v0)
                .isNotEmpty().allSatisfy(pinName -> assertThat(pinName).isEqualTo("atpin:" + v1));

        for (String form : List.of(v0, v1)) {
            assertThat(remoteLs("--cid=" + form)).as("ls --cid=%s", form).hasSize(1)
                    .allSatisfy(p -> assertThat(p.path("Name").asText()).isEqualTo(name));
            tenant.api().queryParam("cid", form).get("/psa/pins").then()
                    .statusCode(200).body("count", equalTo(1)).body("results[0].pin.name", equalTo(name));
        }

        ok(ipfsCli("pin", "remote", "rm", "--service=" + SERVICE, "--cid=" + v0));
        for (String form : List.of(v0, v1)) {
            tenant.api().queryParam("cid", form).get("/psa/pins").then()
                    .statusCode(200).body("count", equalTo(0)).body("results", empty());
        }
    }

    @Test
    void kubosCliPagesThroughMoreThanTenPinsAndRemovesThemAllWithForce() {
        Tenant tenant = Tenants.fresh(tokens);
        registerService(tenant);
        Set<String> cids = new LinkedHashSet<>();
        for (int i = 0; i < 13; i++) {
            String cid = addToOutsideNode("--cid-version=1");
            cids.add(cid);
            Command.Result queued = ok(ipfsCli("pin", "remote", "add", "--service=" + SERVICE, "--background",
                    "--name=page-" + i, cid));
            assertThat(queued.stdout()).containsPattern("Status:\\s+(queued|pinning|pinned)");
        }
        await("all 13 background pins are pinned").atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500))
                .untilAsserted(() -> tenant.api().queryParam("status", "pinned").queryParam("limit", 1)
                        .get("/psa/pins").then().statusCode(200).body("count", equalTo(13)));

        List<String> listed = remoteLs().stream().map(p -> p.path("Cid").asText()).toList();
        assertThat(listed).as("ls pages by 10 with 'before' until count == results").hasSize(13)
                .doesNotHaveDuplicates().containsExactlyInAnyOrderElementsOf(cids);

        Command.Result refused = ipfsCli("pin", "remote", "rm", "--service=" + SERVICE);
        assertThat(refused.exitCode()).as(refused.describe()).isNotZero();
        assertThat(refused.stderr()).contains("add --force");
        ok(ipfsCli("pin", "remote", "rm", "--service=" + SERVICE, "--force"));
        tenant.api().queryParam("status", "queued,pinning,pinned,failed").get("/psa/pins").then()
                .statusCode(200).body("count", equalTo(0)).body("results", empty());
    }

    /** {@code ipfs pin remote service add}, replacing a registration an earlier test left behind. */
    private void registerService(Tenant tenant) {
        ok(ipfsCli("pin", "remote", "service", "rm", SERVICE));
        ok(ipfsCli("pin", "remote", "service", "add", SERVICE, endpoint(), tenant.token()));
    }

    private String endpoint() {
        return "http://127.0.0.1:" + url.getPort() + "/psa";
    }

    /** Random bytes added (and pinned locally) on the outside node with the CLI; returns the root CID. */
    private String addToOutsideNode(String cidVersion) {
        byte[] data = new byte[4096 + RANDOM.nextInt(4096)];
        RANDOM.nextBytes(data);
        try {
            Path file = Files.createTempFile("atpin-cli-", ".bin");
            try {
                Files.write(file, data);
                return ok(ipfsCli("add", "-q", cidVersion, file.toString())).stdout().strip();
            } finally {
                Files.deleteIfExists(file);
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** {@code ipfs pin remote ls --enc=json} with extra options: one object per pin. */
    private List<JsonNode> remoteLs(String... options) {
        List<String> args = new ArrayList<>(List.of("pin", "remote", "ls", "--service=" + SERVICE, "--enc=json"));
        args.addAll(List.of(options));
        String out = ok(ipfsCli(args.toArray(String[]::new))).stdout();
        List<JsonNode> pins = new ArrayList<>();
        out.lines().filter(l -> !l.isBlank()).forEach(l -> pins.add(json(l)));
        return pins;
    }

    /** Names of the recursive pins of {@code cid} on the cluster nodes (one per node that holds it). */
    private static List<String> clusterPinsOf(String cid) {
        return TestStack.CLUSTER.stream()
                .map(KuboDaemon::attach)
                .flatMap(node -> Optional.ofNullable(node.recursivePins().get(cid)).stream())
                .toList();
    }

    private Command.Result ipfsCli(String... args) {
        List<String> command = Stream.concat(Stream.of(ipfs.toString()), Stream.of(args)).toList();
        return Command.run(outside.repo(), outside.cliEnv(), command, CLI_TIMEOUT);
    }

    private static Command.Result ok(Command.Result result) {
        assertThat(result.exitCode()).as(result.describe()).isZero();
        return result;
    }

    private static JsonNode json(String text) {
        try {
            return JSON.readTree(text);
        } catch (IOException e) {
            throw new AssertionError("not JSON: " + text, e);
        }
    }
}
