package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/** {@code GET /pins/{requestid}} of random requests of one tenant ({@code bench.ids}, one requestid per line). */
public class GetPinSimulation extends Simulation {

    private final ScenarioBuilder get = scenario("GET /pins/{requestid}")
            .exec(session -> session.set("token", BenchParams.lines("bench.tokens").getFirst()))
            .exec(during(BenchParams.duration()).on(
                    feed(BenchParams.randomFeeder("id", BenchParams.lines("bench.ids")))
                            .exec(http("GET /pins/{requestid}")
                                    .get("/pins/#{id}")
                                    .header("Authorization", "Bearer #{token}")
                                    .check(status().is(200)))));

    {
        setUp(get.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.psaBase()).acceptHeader("application/json"));
    }
}
