package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * The HTTP floor: {@code GET /static/favicon.svg} (191 bytes) of the service under test — the same server, JVM,
 * Vert.x, HTTP security chain and load generator as every other scenario, but no token, no Postgres, no JSON and
 * a constant answer. Requests per
 * second here bound what any endpoint of the service can reach on this machine with this load generator,
 * so the ratios to it say how much of an endpoint's cost is its own work and how much is HTTP.
 */
public class HttpFloorSimulation extends Simulation {

    private final ScenarioBuilder floor = scenario("HTTP floor")
            .exec(during(BenchParams.duration()).on(
                    http("GET /static/favicon.svg").get("/static/favicon.svg").check(status().is(200))));

    {
        setUp(floor.injectOpen(atOnceUsers(BenchParams.users())))
                // a static file comes with cache headers: without this, Gatling answers from its own cache
                .protocols(http.baseUrl(BenchParams.baseUrl()).acceptHeader("image/svg+xml").disableCaching());
    }
}
