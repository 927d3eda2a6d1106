package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.exec;
import static io.gatling.javaapi.core.CoreDsl.jsonPath;
import static io.gatling.javaapi.core.CoreDsl.repeat;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * Pages through the tenant's pinned requests the way Kubo's {@code ipfs pin remote ls} does:
 * {@code status=pinned&limit=10}, then {@code before=<created of the last result>}, for
 * {@code bench.pages} pages, over and over.
 */
public class PagingSimulation extends Simulation {

    private static final int PAGES = Integer.getInteger("bench.pages", 100);

    private final ScenarioBuilder paging = scenario("paging")
            .exec(session -> session.set("token", BenchParams.lines("bench.tokens").getFirst()))
            .exec(during(BenchParams.duration()).on(
                    exec(http("list pinned, first page")
                            .get("/pins?status=pinned&limit=10")
                            .header("Authorization", "Bearer #{token}")
                            .check(status().is(200), jsonPath("$.results[-1:].created").saveAs("before")))
                            .exec(repeat(PAGES - 1).on(
                                    exec(http("list pinned, next page (before)")
                                            .get("/pins?status=pinned&limit=10&before=#{before}")
                                            .header("Authorization", "Bearer #{token}")
                                            .check(status().is(200),
                                                    jsonPath("$.results[-1:].created").saveAs("before")))))));

    {
        setUp(paging.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.psaBase()).acceptHeader("application/json"));
    }
}
