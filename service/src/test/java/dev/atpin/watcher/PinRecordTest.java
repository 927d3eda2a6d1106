package dev.atpin.watcher;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.Multihash;
import dev.atpin.testing.RepoPaths;
import java.nio.file.Files;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Pin records are validated against our lexicon before anything is pinned. */
class PinRecordTest {

    private static final String PIN = "dev.atpin.pin";
    private static final String V0 = "QmdfTbBqBPQ7VNxZEYEj14VmRuZBkqFbiwReogJgS1zR1n";
    private static final String V1 = "bafybeihdwdcefgh4dqkjv67uzcmw7ojee6xedzdetojuzjevtenxquvyku";

    private static Map<String, Object> record(Object cid) {
        Map<String, Object> r = new HashMap<>();
        r.put("$type", PIN);
        r.put("cid", cid);
        r.put("createdAt", "2026-11-25T12:00:00.000Z");
        return r;
    }

    @Test
    void aValidRecordWhoseKeyIsTheCidV1IsAccepted() throws Exception {
        Map<String, Object> r = record(V0);
        r.put("name", "photos");
        r.put("origins", List.of("/ip4/127.0.0.1/tcp/4001/p2p/QmcfgsJsMtx6qJb74akCw1M24X1zFwgGo11h1cuhwQjtJP"));
        PinRecord pin = PinRecord.parse(PIN, V1, r);
        assertThat(pin.cid().normalized()).isEqualTo(V1);
        assertThat(pin.name()).contains("photos");
        assertThat(pin.origins()).hasSize(1);
    }

    @Test
    void everyInvalidRecordIsRefusedWithAReason() {
        assertThatThrownBy(() -> PinRecord.parse(PIN, "other", record(V1))).hasMessageContaining("record key");
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, record("nope"))).hasMessageContaining("not a valid CID");
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, record(42))).hasMessageContaining("'cid' must be a string");
        Map<String, Object> wrongType = record(V1);
        wrongType.put("$type", "app.bsky.feed.post");
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, wrongType)).hasMessageContaining("$type");
        Map<String, Object> longName = record(V1);
        longName.put("name", "n".repeat(256));
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, longName)).hasMessageContaining("name");
        Map<String, Object> badOrigin = record(V1);
        badOrigin.put("origins", List.of("not a multiaddr"));
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, badOrigin)).hasMessageContaining("multiaddr");
        Map<String, Object> noDate = record(V1);
        noDate.remove("createdAt");
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, noDate)).hasMessageContaining("createdAt");
        Map<String, Object> badBackup = record(V1);
        badBackup.put("backup", Map.of("blob", Map.of("$type", "blob")));
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, badBackup)).hasMessageContaining("backup");
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, List.of())).hasMessageContaining("not an object");
    }

    @Test
    void aBackupBlobIsReadWithItsImportProfile() throws Exception {
        Cid blob = Cid.v1(Cid.RAW, Multihash.sha256(new byte[] {1, 2, 3}));
        Map<String, Object> r = record(V1);
        r.put("backup", Map.of("blob", Map.of("$type", "blob", "ref", blob, "mimeType", "image/png", "size", 3L),
                "importProfile", "unixfs-v0-2015"));
        PinRecord pin = PinRecord.parse(PIN, V1, r);
        assertThat(pin.backup()).hasValueSatisfying(b -> {
            assertThat(b.blob()).isEqualTo(blob);
            assertThat(b.profile()).isEqualTo(ImportProfile.UNIXFS_V0_2015);
        });
        Map<String, Object> unknown = record(V1);
        unknown.put("backup", Map.of("blob", Map.of("$type", "blob", "ref", blob, "mimeType", "image/png", "size", 3L),
                "importProfile", "zip"));
        assertThatThrownBy(() -> PinRecord.parse(PIN, V1, unknown)).hasMessageContaining("importProfile");
    }

    @Test
    void theValidatorsLimitsAreTheLexiconsLimits() throws Exception {
        JsonNode lexicon = new ObjectMapper().readTree(Files.readString(
                RepoPaths.root().resolve("openapi/lexicons/dev/atpin/pin.json")));
        JsonNode props = lexicon.path("defs").path("main").path("record").path("properties");
        assertThat(lexicon.path("id").asText()).isEqualTo(PIN);
        assertThat(props.path("name").path("maxGraphemes").asInt()).isEqualTo(PinRecord.MAX_NAME);
        assertThat(props.path("origins").path("maxLength").asInt()).isEqualTo(PinRecord.MAX_ORIGINS);
        assertThat(lexicon.path("defs").path("backup").path("properties").path("importProfile").path("knownValues"))
                .extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(ImportProfile.names());
    }
}
