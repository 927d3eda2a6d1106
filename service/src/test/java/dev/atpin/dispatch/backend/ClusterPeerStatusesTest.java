package dev.atpin.dispatch.backend;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import org.junit.jupiter.api.Test;

/** How the IPFS Cluster backend reads a pin's {@code peer_map} (the shape of v1.1's {@code GET /pins/{cid}}). */
class ClusterPeerStatusesTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void shouldBeDoneWhenReplicationPeersReportPinned() throws Exception {
        IpfsClusterBackend.PeerStatuses s = read("[\"a\",\"b\"]", "pinned", "pinned", "remote");
        assertThat(s.pinned()).isEqualTo(2);
        assertThat(s.pinned()).isGreaterThanOrEqualTo(s.wanted(2));
    }

    @Test
    void shouldWaitForEveryAllocatedPeerWhenTheClusterCouldAllocateFewerThanR() throws Exception {
        IpfsClusterBackend.PeerStatuses s = read("[\"a\"]", "pinned", "remote", "remote");
        assertThat(s.wanted(3)).isEqualTo(1);
    }

    @Test
    void shouldCountQueuedAndPinningPeersAsProgressNotFailure() throws Exception {
        IpfsClusterBackend.PeerStatuses s = read("[\"a\",\"b\"]", "pinning", "pin_error", "remote");
        assertThat(s.busy()).isTrue();
        assertThat(s.failedEverywhere()).isFalse();
    }

    @Test
    void shouldSeeAFailureEverywhereOnlyWhenNoAllocatedPeerIsStillWorking() throws Exception {
        IpfsClusterBackend.PeerStatuses s = read("[\"a\",\"b\"]", "pin_error", "pin_error", "remote");
        assertThat(s.failedEverywhere()).isTrue();
        assertThat(s.firstError()).isEqualTo("context deadline exceeded");
    }

    @Test
    void shouldNameThePeersThatReportPinnedAsTheHolders() throws Exception {
        IpfsClusterBackend.PeerStatuses s = read("[\"peer0\",\"peer2\"]", "pinned", "remote", "pinned");
        assertThat(s.pinnedOn()).containsExactly("peer0", "peer2");
        assertThat(read("[\"peer0\"]", "pinning", "remote").pinnedOn()).isEmpty();
    }

    private static IpfsClusterBackend.PeerStatuses read(String allocations, String... statuses) throws Exception {
        StringBuilder peers = new StringBuilder();
        for (int i = 0; i < statuses.length; i++) {
            String error = statuses[i].endsWith("error") ? "context deadline exceeded" : "";
            peers.append(i == 0 ? "" : ",").append("\"peer").append(i).append("\":{\"peername\":\"p").append(i)
                    .append("\",\"status\":\"").append(statuses[i]).append("\",\"error\":\"").append(error).append("\"}");
        }
        JsonNode status = JSON.readTree("{\"cid\":\"bafy\",\"name\":\"atpin:bafy\",\"allocations\":" + allocations
                + ",\"peer_map\":{" + peers + "}}");
        return IpfsClusterBackend.PeerStatuses.of(status);
    }
}
