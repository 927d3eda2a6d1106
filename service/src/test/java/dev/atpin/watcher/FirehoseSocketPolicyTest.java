package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.atpin.identity.net.UrlPolicy;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

/**
 * The firehose socket of a user's PDS is checked before every connection, after resolution: a host that
 * resolves to a private address is never connected to (names under example.com resolve inside the JVM).
 */
class FirehoseSocketPolicyTest {

    @Test
    void aPdsHostResolvingToAPrivateAddressIsNeverConnectedTo() {
        try (UrlPolicy policy = new UrlPolicy(true)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            FirehoseConsumer consumer = new FirehoseConsumer("http://private.example.com:2583",
                    URI.create("ws://private.example.com:2583"), OptionalLong.empty(), null, Duration.ofMillis(100),
                    Duration.ofSeconds(30), http, Optional.of(policy));
            consumer.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.refusedBecause().isPresent());
                assertThat(consumer.refusedBecause().get()).contains("10.0.0.7").contains("private");
                // every reconnect is checked again, and refused again
                await().pollDelay(Duration.ofMillis(500)).atMost(Duration.ofSeconds(10))
                        .until(() -> consumer.refusedBecause().isPresent());
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.policyChecks() >= 3);
            } finally {
                consumer.stop();
            }
        }
    }

    /**
     * The hole this closes: the socket was checked once, then re-resolved on each reconnect without a check. Here
     * the first check passes (loopback is allowed in local runs) and the connection fails (nothing listens): each
     * of the reconnects that follow is checked again before it is attempted.
     */
    @Test
    void aReconnectAfterACheckThatPassedIsCheckedAgain() throws Exception {
        int closedPort;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            closedPort = s.getLocalPort();
        }
        try (UrlPolicy policy = new UrlPolicy(true)) {
            HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
            FirehoseConsumer consumer = new FirehoseConsumer("http://127.0.0.1:" + closedPort,
                    URI.create("ws://127.0.0.1:" + closedPort), OptionalLong.empty(), null, Duration.ofMillis(100),
                    Duration.ofSeconds(30), http, Optional.of(policy));
            consumer.start();
            try {
                await().atMost(Duration.ofSeconds(10)).until(() -> consumer.policyChecks() >= 3);
                assertThat(consumer.refusedBecause()).as("loopback passes the local-run policy").isEmpty();
            } finally {
                consumer.stop();
            }
        }
    }
}
