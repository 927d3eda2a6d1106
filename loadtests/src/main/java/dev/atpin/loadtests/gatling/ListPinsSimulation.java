package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * {@code GET /pins} with the queries of {@code bench.queries} (lines {@code label<TAB>query string}),
 * drawn at random by every user; each label is its own line in the report. One token
 * ({@code bench.tokens}, first line): the tenant being listed.
 */
public class ListPinsSimulation extends Simulation {

    private final ScenarioBuilder list = scenario("GET /pins")
            .exec(session -> session.set("token", BenchParams.lines("bench.tokens").getFirst()))
            .exec(during(BenchParams.duration()).on(
                    io.gatling.javaapi.core.CoreDsl.feed(BenchParams.queryFeeder(BenchParams.lines("bench.queries")))
                            .exec(http("#{label}")
                                    .get("/pins#{query}")
                                    .header("Authorization", "Bearer #{token}")
                                    .check(status().is(200), jsonPath("$.count").exists()))));

    {
        setUp(list.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.psaBase()).acceptHeader("application/json"));
    }
}
