package dev.atpin.fuzz;

import static org.assertj.core.api.Assertions.assertThat;

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
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * Schemathesis (PyPI, installed by {@code scripts/schemathesis.sh}) fuzzes the served Pinning Service API
 * contract with one tenant's token, a bounded number of cases: no 5xx, every status, content type and body as
 * the contract says. Another tenant's pin is there all along and must come out of it untouched and unseen.
 * A longer run by hand: see the README ("Faults survived and contracts enforced").
 */
@QuarkusTest
class SchemathesisFuzzTest {

    /** Examples per operation inside the normal test run; the by-hand run takes more. */
    private static final int EXAMPLES = 25;

    @Inject
    TokenService tokens;

    @Test
    void fuzzingThePinningServiceApiFindsNo5xxNoSchemaViolationAndNoCrossTenantAccess() throws Exception {
        Tenant fuzzer = Tenants.fresh(tokens);
        Tenant bystander = Tenants.fresh(tokens);
        String theirs = bystander.api().body(Map.of("cid", Cids.unfetchable(), "name", "bystander")).post("/psa/pins")
                .then().statusCode(202).extract().path("requestid");

        Path report = Files.createTempFile("atpin-schemathesis-", ".log");
        ProcessBuilder pb = new ProcessBuilder(List.of(RepoPaths.root().resolve("scripts/schemathesis.sh").toString(), "run",
                "http://127.0.0.1:" + RestAssured.port + "/psa", fuzzer.token(),
                RepoPaths.root().resolve("openapi/pinning-service.yaml").toString(), Integer.toString(EXAMPLES)))
                .redirectErrorStream(true).redirectOutput(report.toFile());
        pb.environment().put("NO_COLOR", "1");
        Process p = pb.start();
        boolean done = p.waitFor(8, TimeUnit.MINUTES);
        if (!done) {
            p.destroyForcibly();
        }
        String out = Files.readString(report);
        System.out.println("MEASURED schemathesis: " + out.lines()
                .filter(l -> l.contains("passed") || l.contains("failed") || l.contains("cases") || l.contains("generated"))
                .reduce((a, b) -> a + " | " + b).orElse("(no summary)"));
        assertThat(done).as("schemathesis finished in time:\n%s", out).isTrue();
        assertThat(p.exitValue()).as("schemathesis found failures:\n%s", out).isZero();

        // The other tenant's request is untouched, and the fuzzer never saw it.
        bystander.api().get("/psa/pins/" + theirs).then().statusCode(200);
        fuzzer.api().get("/psa/pins/" + theirs).then().statusCode(404);
        fuzzer.api().delete("/psa/pins/" + theirs).then().statusCode(404);
        bystander.api().get("/psa/pins/" + theirs).then().statusCode(200);
    }
}
