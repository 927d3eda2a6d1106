package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * A burst of {@code POST /pins}, each a new CID, spread over the tenants of {@code bench.tokens}
 * (one token per line, taken in turn: in the closed model user i takes line i mod n, in the open model
 * request i does). A 202 is the only success. The same simulation drives our API and IPFS Cluster's
 * pinning-service API ({@code bench.psaBase}); in the closed model each virtual user keeps its own
 * connection, like wrk's connections (see {@link BenchParams#injection}).
 */
public class PostPinsSimulation extends Simulation {

    private final ScenarioBuilder post = scenario("POST /pins")
            .feed(BenchParams.cyclingFeeder("token", BenchParams.lines("bench.tokens")));

    private final ChainBuilder add = exec(session -> session.set("cid", BenchParams.randomCid()).set("word", BenchParams.randomWord()))
            .exec(http(System.getProperty("bench.label", "POST /pins"))
                    .post("/pins")
                    .header("Authorization", "Bearer #{token}")
                    .body(StringBody("{\"cid\":\"#{cid}\",\"name\":\"bench-#{word}\",\"meta\":{\"app\":\"bench\"}}"))
                    .asJson()
                    .check(status().in(BenchParams.expectedStatuses())));

    {
        setUp(BenchParams.injection(post, add)).protocols(BenchParams.protocol(BenchParams.psaBase()));
    }
}
