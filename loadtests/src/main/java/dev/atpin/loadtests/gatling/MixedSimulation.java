package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.StringBody;
import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.percent;
import static io.gatling.javaapi.core.CoreDsl.randomSwitch;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Reads and writes together over the tenants of {@code bench.tokens}: 70 % list (default query),
 * 10 % a {@code --stat} count, 20 % {@code POST /pins}.
 */
public class MixedSimulation extends Simulation {

    private final ScenarioBuilder mixed = scenario("mixed")
            .feed(BenchParams.cyclingFeeder("token", BenchParams.lines("bench.tokens")))
            .exec(during(BenchParams.duration()).on(randomSwitch().on(
                    percent(70.0).then(exec(http("mixed: GET /pins")
                            .get("/pins")
                            .header("Authorization", "Bearer #{token}")
                            .check(status().is(200)))),
                    percent(10.0).then(exec(http("mixed: GET /pins?status=queued&limit=1")
                            .get("/pins?status=queued&limit=1")
                            .header("Authorization", "Bearer #{token}")
                            .check(status().is(200)))),
                    percent(20.0).then(exec(session -> session.set("cid", BenchParams.randomCid()))
                            .exec(http("mixed: POST /pins")
                                    .post("/pins")
                                    .header("Authorization", "Bearer #{token}")
                                    .body(StringBody("{\"cid\":\"#{cid}\"}"))
                                    .asJson()
                                    .check(status().is(202)))))));

    {
        setUp(mixed.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.psaBase()).acceptHeader("application/json"));
    }
}
