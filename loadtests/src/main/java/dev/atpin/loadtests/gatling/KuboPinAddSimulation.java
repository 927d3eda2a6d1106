package dev.atpin.loadtests.gatling;

import static io.gatling.javaapi.core.CoreDsl.atOnceUsers;
import static io.gatling.javaapi.core.CoreDsl.during;
import static io.gatling.javaapi.core.CoreDsl.feed;
import static io.gatling.javaapi.core.CoreDsl.scenario;
import static io.gatling.javaapi.http.HttpDsl.http;
import static io.gatling.javaapi.http.HttpDsl.status;

import io.gatling.javaapi.core.ScenarioBuilder;
import io.gatling.javaapi.core.Simulation;

/**
 * The anchor for ingest on the node itself: {@code ipfs pin add} through Kubo's RPC API
 * ({@code POST /api/v0/pin/add?arg=CID}, what the CLI sends), each CID once, of blocks the runner
 * put in the node beforehand ({@code bench.cids}) so that a pin is only bookkeeping.
 */
public class KuboPinAddSimulation extends Simulation {

    private final ScenarioBuilder pinAdd = scenario("ipfs pin add")
            .exec(during(BenchParams.duration()).on(
                    feed(BenchParams.cyclingFeeder("cid", BenchParams.lines("bench.cids")))
                            .exec(http("kubo: pin/add")
                                    .post("/api/v0/pin/add?arg=#{cid}")
                                    .check(status().is(200)))));

    {
        setUp(pinAdd.injectOpen(atOnceUsers(BenchParams.users())))
                .protocols(http.baseUrl(BenchParams.baseUrl()));
    }
}
