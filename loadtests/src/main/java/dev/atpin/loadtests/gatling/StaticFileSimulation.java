package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * An HTTP reference: {@code GET /static/favicon.svg} (191 bytes) of the service under test — the same server, JVM,
 * Vert.x, HTTP security chain and load generator as every other scenario, but no token, no Postgres and no JSON.
 * It is not a lower bound: Vert.x's static handler (file lookup, cache headers) costs more CPU per request than
 * our {@code GET /pins/{requestid}} (loadtests/README.md); it shows what a request of this stack costs when
 * none of our code runs.
 */
public class StaticFileSimulation extends Simulation {

    private final ScenarioBuilder file = scenario("static file")
            .exec(during(BenchParams.duration()).on(
                    http("GET /static/favicon.svg").get("/static/favicon.svg").check(status().is(200))));

    {
        setUp(file.injectOpen(atOnceUsers(BenchParams.users())))
                // a static file comes with cache headers: without this, Gatling answers from its own cache
                .protocols(http.baseUrl(BenchParams.baseUrl()).acceptHeader("image/svg+xml").disableCaching());
    }
}
