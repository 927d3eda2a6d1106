package dev.atpin.loadtests.bench;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Proves the benchmark runner works end to end without measuring anything worth keeping: tiny
 * data, two seconds per scenario, every scenario and anchor (IPFS Cluster too once
 * {@code scripts/ipfs-cluster.sh} is in the repo), the open-model runs at the default
 * {@code --latency-load} included. The real benchmark never runs in the tests.
 */
class BenchRunnerSmokeTest {

    @Test
    void everyScenarioAndAnchorRunsAndTheTableIsWritten() throws Exception {
        Path repo = Path.of(System.getProperty("bench.repo", "..")).toAbsolutePath().normalize();
        Path work = Files.createTempDirectory(repo.resolve("loadtests/target"), "bench-smoke-");
        List<String> args = new ArrayList<>(List.of("--smoke", "--seconds=2", "--warmup-seconds=1", "--users=2",
                "--cluster-pins=20", "--work-dir=" + work));
        boolean cluster = Files.exists(repo.resolve("scripts/ipfs-cluster.sh"));
        if (!cluster) {
            args.add("--no-cluster");
        }
        Path table = BenchRunner.run(repo, args.toArray(String[]::new));

        String results = Files.readString(table);
        assertThat(results).contains("POST /pins, 1 tenant ÷ pgbench insert", "GET /pins/{requestid}",
                "pgbench: single-row insert", "ipfs pin add on the same Kubo", "list: meta", "--stat counts",
                "mixed read/write", "service RSS");
        assertThat(results).contains("| every 202 is a row; usage counters exact").containsPattern("equal +\\| yes");
        // the latency at a stated load: the same requests again in the open model, at half the throughput just measured
        assertThat(results).contains("POST /pins, 1 tenant, at 50 % of its throughput (",
                "POST /pins, 3 tenants, at 50 % of its throughput (", "GET /pins default at 1,000 pins, at 50 % of its throughput (",
                "GET /pins with filters (all kinds), at 50 % of its throughput (", "  list: meta, at 50 %",
                "group commit during POST /pins, 1 tenant, at 50 % of its throughput");
        assertThat(results).doesNotContain("requests failed");
        if (cluster) {
            assertThat(results).contains("IPFS Cluster pinning-service API: GET /pins");
        }
        try (var reports = Files.list(work.resolve("gatling"))) {
            assertThat(reports.filter(d -> Files.exists(d.resolve("index.html"))).count()).isGreaterThanOrEqualTo(12);
        }
    }
}
