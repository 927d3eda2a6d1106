package dev.atpin.watcher;

import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.IpldException;
import dev.atpin.pins.PinService;
import dev.atpin.pins.ValidPin;
import dev.atpin.xrpc.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.Map;
import java.util.Optional;

/**
 * Turns pin records into pin requests and back. Runs inside the transaction that applies a
 * verified commit or resync, so the repo's new rev and the pins it implies commit together.
 * An invalid record becomes a problem on the user's page, never a pin, never an exception.
 */
@ApplicationScoped
public class RecordPins {

    private final PinService pins;
    private final WatchedRepos repos;
    private final WatcherConfig config;
    private final ServiceConfig service;

    RecordPins(PinService pins, WatchedRepos repos, WatcherConfig config, ServiceConfig service) {
        this.pins = pins;
        this.repos = repos;
        this.config = config;
        this.service = service;
    }

    /** Our service DID, which an enrollment record must name. */
    public String serviceDid() {
        return service.did();
    }

    public boolean isPinRecord(String path) {
        return path.startsWith(config.pinCollection() + "/");
    }

    public static String uri(String did, String path) {
        return "at://" + did + "/" + path;
    }

    /** The record at {@code path} now holds {@code block} (created or updated). */
    public void put(String did, String path, byte[] block) throws SQLException {
        String rkey = path.substring(path.indexOf('/') + 1);
        PinRecord record;
        try {
            record = PinRecord.parse(config.pinCollection(), rkey, DagCbor.decode(block));
        } catch (PinRecord.Invalid | IpldException e) {
            repos.problem(did, path, "invalid pin record: " + e.getMessage());
            // A record that became invalid no longer asks for a pin.
            pins.dropRecordPin(did, uri(did, path));
            return;
        }
        ValidPin pin = new ValidPin(record.cid(), record.cidText(), record.name().orElse(null), record.origins(),
                Map.of());
        Optional<String> refused = pins.putRecordPin(did, uri(did, path), pin);
        if (refused.isPresent()) {
            repos.problem(did, path, refused.get());
            return;
        }
        pins.setRecordBackup(did, uri(did, path), record.backup().map(RecordPins::backupJson).orElse(null));
        repos.clearProblem(did, path);
    }

    /** The record at {@code path} was deleted (verified): its pin goes. */
    public void remove(String did, String path) throws SQLException {
        pins.dropRecordPin(did, uri(did, path));
        repos.clearProblem(did, path);
    }

    /** Every record pin of the tenant goes (consent withdrawn, account deleted). */
    public void removeAll(String did) throws SQLException {
        for (String source : pins.recordPins(did).keySet()) {
            pins.dropRecordPin(did, source);
        }
    }

    /** The record pins a tenant has now: source URI → CID. */
    public Map<String, String> current(String did) throws SQLException {
        return pins.recordPins(did);
    }

    /** Whether {@code value} is an enrollment record naming our service. */
    public boolean isEnrollment(Object value) {
        return value instanceof Map<?, ?> record
                && config.enrollmentCollection().equals(record.get("$type"))
                && service.did().equals(record.get("service"));
    }

    public String enrollmentPath() {
        return config.enrollmentCollection() + "/self";
    }

    private static String backupJson(PinRecord.Backup backup) {
        Map<String, Object> out = new java.util.LinkedHashMap<>();
        out.put("blob", backup.blob().toString());
        out.put("profile", backup.profile().id());
        out.put("addOptions", backup.profile().addOptions());
        try {
            return JSON.writeValueAsString(out);
        } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private static final com.fasterxml.jackson.databind.ObjectMapper JSON = new com.fasterxml.jackson.databind.ObjectMapper();
}
