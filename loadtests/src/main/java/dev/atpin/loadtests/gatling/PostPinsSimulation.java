package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * A burst of {@code POST /pins}, each a new CID, spread over the tenants of {@code bench.tokens}
 * (one token per line; user i takes line i mod n). A 202 is the only success. The same simulation
 * drives our API and IPFS Cluster's pinning-service API ({@code bench.psaBase}); each virtual user
 * keeps its own connection, like wrk's connections.
 */
public class PostPinsSimulation extends Simulation {

    private final ScenarioBuilder post = scenario("POST /pins")
            .feed(BenchParams.cyclingFeeder("token", BenchParams.lines("bench.tokens")))
            .exec(during(BenchParams.duration()).on(
                    exec(session -> session.set("cid", BenchParams.randomCid()).set("word", BenchParams.randomWord()))
                            .exec(http(System.getProperty("bench.label", "POST /pins"))
                                    .post("/pins")
                                    .header("Authorization", "Bearer #{token}")
                                    .body(StringBody(
                                            "{\"cid\":\"#{cid}\",\"name\":\"bench-#{word}\",\"meta\":{\"app\":\"bench\"}}"))
                                    .asJson()
                                    .check(status().in(BenchParams.expectedStatuses())))));

    {
        setUp(post.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.psaBase()).acceptHeader("application/json"));
    }
}
