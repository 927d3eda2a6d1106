package dev.atpin.dispatch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.atpin.ipfscluster.IpfsClusterClient;
import dev.atpin.ipfscluster.IpfsClusterException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The one status reader against a stand-in for v1.1's {@code GET /pins?cids=...} (a stream of {@code GlobalPinInfo}
 * objects, one per CID): pins in flight are read together, each worker gets its own CID's status.
 */
class ClusterStatusReaderTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    private HttpServer server;
    private final List<String> requests = new CopyOnWriteArrayList<>();
    private final Map<String, String> statusOf = new ConcurrentHashMap<>();
    private volatile int failWith;
    private IpfsClusterClient client;

    @BeforeEach
    void start() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/pins", exchange -> {
            String query = URLDecoder.decode(exchange.getRequestURI().getRawQuery(), StandardCharsets.UTF_8);
            requests.add(query);
            StringBuilder body = new StringBuilder();
            int code = failWith == 0 ? 200 : failWith;
            if (code != 200) {
                body.append("{\"code\":").append(code).append(",\"message\":\"down\"}");
            } else {
                for (String cid : query.substring("cids=".length()).split(",")) {
                    String st = statusOf.get(cid);
                    if (st != null) { // a CID whose lookup failed is missing from the stream
                        body.append("{\"cid\":\"").append(cid).append("\",\"allocations\":[\"p1\"],\"peer_map\":{\"p1\":{\"status\":\"")
                                .append(st).append("\"}}}\n");
                    }
                }
            }
            byte[] bytes = body.toString().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(code, bytes.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(bytes);
            }
        });
        server.start();
        client = new IpfsClusterClient("http://127.0.0.1:" + server.getAddress().getPort(), Duration.ofSeconds(5), JSON,
                Optional.empty());
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void shouldReadEveryPinInFlightInOneRequestAndHandEachItsOwnStatus() throws Exception {
        statusOf.put("bafya", "pinned");
        statusOf.put("bafyb", "pinning");
        ClusterStatusReader reader = new ClusterStatusReader(client, Duration.ofMillis(200), Duration.ofSeconds(2));
        try (ClusterStatusReader.Watch a = reader.watch("bafya"); ClusterStatusReader.Watch b = reader.watch("bafyb")) {
            assertThat(status(a.next(Duration.ofSeconds(5)))).isEqualTo("pinned");
            assertThat(status(b.next(Duration.ofSeconds(5)))).isEqualTo("pinning");
            assertThat(requests).first().satisfies(q -> assertThat(q.split("=")[1].split(","))
                    .containsExactlyInAnyOrder("bafya", "bafyb"));
        }
        assertThat(reader.watching()).isZero();
    }

    @Test
    void shouldReadAgainSoonAfterAChangeAndBackOffWhileNothingChanges() throws Exception {
        statusOf.put("bafyc", "pinning");
        ClusterStatusReader reader = new ClusterStatusReader(client, Duration.ofMillis(20), Duration.ofMillis(200));
        try (ClusterStatusReader.Watch c = reader.watch("bafyc")) {
            long t0 = System.nanoTime();
            for (int i = 0; i < 5; i++) {
                assertThat(status(c.next(Duration.ofSeconds(5)))).isEqualTo("pinning");
            }
            // 20 ms, then 40, 80, 160, 200 (capped): far more than five reads at the first delay would take
            assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThan(Duration.ofMillis(300));
            statusOf.put("bafyc", "pinned");
            assertThat(status(c.next(Duration.ofSeconds(5)))).isEqualTo("pinned");
        }
    }

    @Test
    void shouldHandTheFailureToTheWorkerWhenTheClusterCannotBeAsked() throws Exception {
        statusOf.put("bafyd", "pinned");
        failWith = 503;
        ClusterStatusReader reader = new ClusterStatusReader(client, Duration.ofMillis(10), Duration.ofMillis(50));
        try (ClusterStatusReader.Watch d = reader.watch("bafyd")) {
            assertThatThrownBy(() -> d.next(Duration.ofSeconds(5))).isInstanceOf(IpfsClusterException.class)
                    .hasMessageContaining("down");
            failWith = 0;
            assertThat(status(d.next(Duration.ofSeconds(5)))).isEqualTo("pinned");
        }
    }

    @Test
    void shouldAnswerNothingForACidTheClusterLeftOutUntilTheWorkerGivesUp() throws Exception {
        ClusterStatusReader reader = new ClusterStatusReader(client, Duration.ofMillis(10), Duration.ofMillis(50));
        try (ClusterStatusReader.Watch e = reader.watch("bafye")) {
            assertThat(e.next(Duration.ofMillis(300))).isEmpty();
            assertThat(requests).isNotEmpty();
        }
    }

    private static String status(Optional<JsonNode> read) {
        return read.orElseThrow().path("peer_map").path("p1").path("status").asText();
    }
}
