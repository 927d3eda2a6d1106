package dev.atpin.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.auth.Scope;
import dev.atpin.auth.TokenService;
import dev.atpin.testing.Cids;
import dev.atpin.testing.RepoPaths;
import dev.atpin.testing.Tenants;
import dev.atpin.testing.Tenants.Tenant;
import io.quarkus.test.junit.QuarkusTest;
import io.restassured.RestAssured;
import jakarta.inject.Inject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

/**
 * Schemathesis fuzzes the served admin API contract ({@code openapi/admin.yaml}) with an operator's token (admin
 * and write scopes, so every operation, changes included, is reached), a bounded number of cases: no 5xx, every
 * status, content type and body as the contract says. The hooks ({@code schemathesis/admin_operator.py}) put
 * accounts made for the run into most {@code {did}} paths, so that the account operations get past their 404,
 * and keep node names away from the real nodes.
 * Examples per operation as in {@link SchemathesisFuzzTest} ({@code -Datpin.fuzz.examples=N} for a longer run).
 */
@QuarkusTest
class AdminSchemathesisFuzzTest {

    private static final String OPERATOR = "did:plc:operatoraaaaaaaaaaaaaaaaaa";
    private static final Path HOOKS = RepoPaths.root().resolve("service/src/test/resources/schemathesis/admin_operator.py");
    private static final int ACCOUNTS = 3;

    @Inject
    TokenService tokens;

    @Test
    void fuzzingTheAdminApiAsAnOperatorFindsNo5xxAndNoSchemaViolation() throws Exception {
        List<String> dids = new ArrayList<>();
        for (int i = 0; i < ACCOUNTS; i++) {
            Tenant t = Tenants.fresh(tokens);
            t.api().body(Map.of("cid", Cids.unfetchable(), "name", "fuzz-" + i)).post("/psa/pins").then().statusCode(202);
            dids.add(t.did());
        }
        TokenService.Minted minted = tokens.mint(OPERATOR, "fuzz", Set.of(Scope.READ, Scope.WRITE, Scope.ADMIN), Optional.empty());
        String token = minted.token();
        Path run = Files.createTempFile("atpin-fuzz-operator-", ".json");
        Files.writeString(run, new ObjectMapper().writeValueAsString(Map.of("token", token, "dids", dids)));
        Path report = Files.createTempFile("atpin-schemathesis-admin-", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(RepoPaths.root().resolve("scripts/schemathesis.sh").toString(), "run",
                "http://127.0.0.1:" + RestAssured.port + "/admin/v1", "",
                RepoPaths.root().resolve("openapi/admin.yaml").toString(), Integer.toString(SchemathesisFuzzTest.EXAMPLES),
                // no stateful phase: it would follow GET /nodes to the real nodes and drain them under the other
                // tests of this JVM
                "--", "--phases", "examples,fuzzing"))
                .redirectErrorStream(true).redirectOutput(report.toFile());
        pb.environment().putAll(Map.of("NO_COLOR", "1", "SCHEMATHESIS_HOOKS", HOOKS.toString(),
                "ATPIN_FUZZ_OPERATOR", run.toString()));
        long started = System.nanoTime();
        Process p = pb.start();
        boolean done = p.waitFor(Math.max(8, SchemathesisFuzzTest.EXAMPLES / 5), TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        Files.delete(run); // it holds the token
        tokens.revoke(OPERATOR, minted.id()); // the operator's DID may hold only so many live tokens
        String out = Files.readString(report);
        System.out.printf("MEASURED schemathesis admin API, %d examples per operation (%d s): %s%n",
                SchemathesisFuzzTest.EXAMPLES, TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started),
                out.lines().filter(l -> l.contains("passed") || l.contains("failed") || l.contains("generated"))
                        .map(String::strip).collect(Collectors.joining(" | ")));
        assertThat(done).as("schemathesis finished in time:\n%s", out).isTrue();
        assertThat(p.exitValue()).as("schemathesis found failures:\n%s", out).isZero();
    }
}
