package dev.atpin.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.RepoPaths;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Schemathesis (PyPI, installed by {@code scripts/schemathesis.sh}) fuzzes the served Pinning Service API
 * contract with two tenants' tokens, a bounded number of cases: no 5xx, every status, content type and body as
 * the contract says. Both tenants have live pins before the run; the hooks ({@code schemathesis/two_tenants.py})
 * send every request with one tenant's token in turn and put the seeded requestids of both into the paths, so
 * each tenant's requestids are tried with each tenant's token: another tenant's requestid must answer 404, and
 * no response may carry another tenant's requestid. A third tenant's pin, unknown to the run, must come out of
 * it untouched and unseen. A longer run by hand: see the README ("Faults survived and contracts enforced").
 */
@QuarkusTest
class SchemathesisFuzzTest {

    /**
     * Examples per operation: 25 inside the normal test run; a longer run by hand raises it with
     * {@code -Datpin.fuzz.examples=N} or {@code ATPIN_FUZZ_EXAMPLES=N} (README, "Faults survived and contracts
     * enforced"). About five cases per example: 25 gives ~130 cases, 200 ~1,000.
     */
    static final int EXAMPLES = examples();
    private static final int SEEDED_PER_TENANT = 3;
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Path HOOKS = RepoPaths.root().resolve("service/src/test/resources/schemathesis/two_tenants.py");

    @Inject
    TokenService tokens;

    /** One request of the run that named a seeded requestid, as the hooks logged it. */
    record Attempt(String requestid, String actor, String owner, String method, int status) {
        boolean crossTenant() {
            return !actor.equals(owner);
        }

        /**
         * Always 404, whatever else the request carried (a replace's body is read only after the lookup): never
         * 2xx, 400, 403 or 5xx, never a hint that the request exists.
         */
        boolean saysNothingAboutTheOtherTenant() {
            return status == 404;
        }
    }

    @Test
    void fuzzingWithTwoTenantsFindsNo5xxNoSchemaViolationAndNoCrossTenantAccess() throws Exception {
        Map<String, Tenant> tenants = new LinkedHashMap<>();
        tenants.put("alpha", Tenants.fresh(tokens));
        tenants.put("beta", Tenants.fresh(tokens));
        Map<String, String> ownerOf = new LinkedHashMap<>();
        List<Map<String, Object>> described = new ArrayList<>();
        tenants.forEach((name, tenant) -> {
            List<String> ids = new ArrayList<>();
            for (int i = 0; i < SEEDED_PER_TENANT; i++) {
                ids.add(livePin(tenant, name + "-" + i));
                ownerOf.put(ids.getLast(), name);
            }
            described.add(Map.of("name", name, "token", tenant.token(), "requestids", ids));
        });
        Tenant bystander = Tenants.fresh(tokens);
        String theirs = livePin(bystander, "bystander");

        Path tenantsFile = Files.createTempFile("atpin-fuzz-tenants-", ".json");
        Files.writeString(tenantsFile, JSON.writeValueAsString(Map.of("tenants", described)));
        Path attemptsLog = Files.createTempFile("atpin-fuzz-attempts-", ".jsonl");
        Path report = Files.createTempFile("atpin-schemathesis-", ".log");
        // no token on the command line: the hooks give each request its tenant's (a header there would win)
        ProcessBuilder pb = new ProcessBuilder(List.of(RepoPaths.root().resolve("scripts/schemathesis.sh").toString(), "run",
                "http://127.0.0.1:" + RestAssured.port + "/psa", "",
                RepoPaths.root().resolve("openapi/pinning-service.yaml").toString(), Integer.toString(EXAMPLES)))
                .redirectErrorStream(true).redirectOutput(report.toFile());
        pb.environment().putAll(Map.of("NO_COLOR", "1", "SCHEMATHESIS_HOOKS", HOOKS.toString(),
                "SCHEMATHESIS_EXTRA_CHECKS", "another_tenants_request_is_404",
                "ATPIN_FUZZ_TENANTS", tenantsFile.toString(), "ATPIN_FUZZ_LOG", attemptsLog.toString()));
        long started = System.nanoTime();
        Process p = pb.start();
        // 8 minutes bound the normal run (it takes seconds); a longer one gets time in proportion
        boolean done = p.waitFor(Math.max(8, EXAMPLES / 5), TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(report);
        List<Attempt> attempts = attempts(attemptsLog);
        Files.delete(tenantsFile); // it holds the tokens
        System.out.printf("MEASURED schemathesis, %d examples per operation (%d s): %s; requests naming a seeded requestid by (token -> owner): %s, "
                        + "their statuses across tenants: %s%n",
                EXAMPLES, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                out.lines().filter(l -> l.contains("passed") || l.contains("failed") || l.contains("cases")
                        || l.contains("generated")).map(String::strip).collect(Collectors.joining(" | ")),
                new TreeMap<>(attempts.stream().collect(Collectors.groupingBy(a -> a.actor() + "->" + a.owner(),
                        Collectors.counting()))),
                new TreeMap<>(attempts.stream().filter(Attempt::crossTenant).collect(Collectors.groupingBy(
                        a -> a.method() + " " + a.status(), Collectors.counting()))));
        assertThat(done).as("schemathesis finished in time:\n%s", out).isTrue();
        assertThat(p.exitValue()).as("schemathesis found failures:\n%s", out).isZero();

        // Every tenant's requestids were tried with every tenant's token; across tenants only 404 came back.
        for (String actor : tenants.keySet()) {
            for (String owner : tenants.keySet()) {
                assertThat(attempts).as("requests for %s's requestids with %s's token", owner, actor)
                        .anyMatch(a -> a.actor().equals(actor) && a.owner().equals(owner));
            }
        }
        assertThat(attempts.stream().filter(Attempt::crossTenant)).as("cross-tenant answers")
                .isNotEmpty().allMatch(Attempt::saysNothingAboutTheOtherTenant);
        assertThat(attempts).as("cross-tenant 404s").anyMatch(a -> a.crossTenant() && a.status() == 404);
        // Nothing a cross-tenant request did stuck: each seeded request its owner did not remove or replace in
        // the run is still there for its owner, and still a 404 for the other tenant.
        for (Map.Entry<String, String> seeded : ownerOf.entrySet()) {
            String owner = seeded.getValue();
            Tenant other = tenants.entrySet().stream().filter(e -> !e.getKey().equals(owner)).findFirst()
                    .orElseThrow().getValue();
            other.api().get("/psa/pins/" + seeded.getKey()).then().statusCode(404);
            if (!changedByItsOwner(seeded.getKey(), owner, attempts)) {
                tenants.get(owner).api().get("/psa/pins/" + seeded.getKey()).then().statusCode(200);
            }
        }

        // The bystander's request is untouched, and no fuzzing tenant ever saw it.
        bystander.api().get("/psa/pins/" + theirs).then().statusCode(200);
        for (Tenant fuzzer : tenants.values()) {
            fuzzer.api().get("/psa/pins/" + theirs).then().statusCode(404);
            fuzzer.api().delete("/psa/pins/" + theirs).then().statusCode(404);
        }
        bystander.api().get("/psa/pins/" + theirs).then().statusCode(200);
    }

    static int examples() {
        String given = System.getProperty("atpin.fuzz.examples", System.getenv("ATPIN_FUZZ_EXAMPLES"));
        return given == null || given.isBlank() ? 25 : Integer.parseInt(given.strip());
    }

    /** A request that stays queued for the whole run: its CID is nowhere to be found. */
    private static String livePin(Tenant tenant, String name) {
        return tenant.api().body(Map.of("cid", Cids.unfetchable(), "name", name)).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");
    }

    /** Whether its owner removed (DELETE) or replaced (POST) the request during the run: then it may be gone. */
    private static boolean changedByItsOwner(String requestid, String owner, List<Attempt> attempts) {
        return attempts.stream().anyMatch(a -> a.requestid().equals(requestid) && a.actor().equals(owner)
                && !a.method().equals("GET") && a.status() / 100 == 2);
    }

    private static List<Attempt> attempts(Path log) throws IOException {
        return Files.readAllLines(log).stream().map(SchemathesisFuzzTest::parse)
                .map(l -> new Attempt(l.path("requestid").asText(), l.path("actor").asText(), l.path("owner").asText(), l.path("method").asText(),
                        l.path("status").asInt()))
                .toList();
    }

    private static JsonNode parse(String line) {
        try {
            return JSON.readTree(line);
        } catch (IOException e) {
            throw new AssertionError("not a JSON line: " + line, e);
        }
    }
}
