package dev.atpin.clients;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.auth.TokenService;
import dev.atpin.testing.RepoPaths;
import dev.atpin.testing.Tenants;
import io.quarkus.test.common.http.TestHTTPResource;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.io.IOException;
import java.net.URL;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * The official IPFS Pinning Service API compliance suite
 * ({@code @ipfs-shipyard/pinning-service-compliance}, installed and run offline by
 * {@code scripts/compliance.sh}) against the running service, as a fresh tenant.
 */
@QuarkusTest
class ComplianceSuiteTest {

    private static final Duration SUITE_TIMEOUT = Duration.ofMinutes(5);

    @Inject
    TokenService tokens;

    @TestHTTPResource("/")
    URL url;

    @Test
    void theOfficialComplianceSuitePassesAllNineChecks() {
        Path spec = RepoPaths.sharedReference().resolve("ipfs-pinning-service.yaml");
        assertThat(Files.isRegularFile(spec))
                .as("the upstream Pinning Service API spec must be at %s: without it the suite silently runs "
                        + "only 5 of its 9 checks", spec)
                .isTrue();
        String token = Tenants.fresh(tokens).token();
        String endpoint = "http://127.0.0.1:" + url.getPort() + "/psa";

        Command.Result run = Command.run(RepoPaths.root(), Map.of(),
                List.of("bash", "scripts/compliance.sh", "run", endpoint, token, spec.toString()), SUITE_TIMEOUT);

        System.out.println("---- compliance suite against " + endpoint + " (exit " + run.exitCode() + ") ----");
        System.out.println(run.output());
        boolean passed = run.exitCode() == 0;
        if (!passed) {
            System.out.println(detailedReports());
        }
        assertThat(run.exitCode()).as("compliance.sh exit code; output:\n%s", run.output()).isZero();
        assertThat(run.stdout()).as("the suite's report line")
                .containsPattern("compliance report: \\{[^}]*\"total\"\\s*:\\s*9\\b")
                .containsPattern("compliance report: \\{[^}]*\"success\"\\s*:\\s*true\\b");
    }

    /** The suite's Markdown reports (every request and response of each check), for a failing run. */
    private static String detailedReports() {
        String cache = System.getenv().getOrDefault("ATPIN_CACHE", System.getProperty("user.home") + "/.cache/atpin");
        Path compliance = Path.of(cache, "compliance");
        StringBuilder out = new StringBuilder("---- compliance suite reports under " + compliance + " ----\n");
        try (Stream<Path> files = Files.exists(compliance) ? Files.walk(compliance) : Stream.empty()) {
            for (Path md : files.filter(p -> p.toString().contains("/dist/docs/") && p.toString().endsWith(".md"))
                    .toList()) {
                out.append("# ").append(md).append('\n').append(Files.readString(md)).append('\n');
            }
        } catch (IOException e) {
            out.append("(cannot read the reports: ").append(e.getMessage()).append(")\n");
        }
        return out.toString();
    }
}
