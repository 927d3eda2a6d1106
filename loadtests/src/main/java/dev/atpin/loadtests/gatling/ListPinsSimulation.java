package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ChainBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * {@code GET /pins} with the queries of {@code bench.queries} (lines {@code label<TAB>query string}),
 * drawn at random for every request; each label is its own line in the report. One token
 * ({@code bench.tokens}, first line): the tenant being listed. Closed model, or open at {@code bench.rate}
 * (see {@link BenchParams#injection}).
 */
public class ListPinsSimulation extends Simulation {

    private final String token = BenchParams.lines("bench.tokens").getFirst();

    private final ChainBuilder list = feed(BenchParams.queryFeeder(BenchParams.lines("bench.queries")))
            .exec(http("#{label}")
                    .get("/pins#{query}")
                    .header("Authorization", "Bearer " + token)
                    .check(status().is(200), jsonPath("$.count").exists()));

    {
        setUp(BenchParams.injection(scenario("GET /pins"), list)).protocols(BenchParams.protocol(BenchParams.psaBase()));
    }
}
