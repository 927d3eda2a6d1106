package dev.atpin.dashboard.pins;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.atpin.api.ApiException;
import dev.atpin.dashboard.repo.RepoEnrollment;
import dev.atpin.db.Retry;
import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.XrpcClient;
import dev.atpin.pins.PinDto;
import dev.atpin.pins.PinInputs;
import dev.atpin.pins.PinService;
import dev.atpin.pins.PinStatusDto;
import dev.atpin.pins.ValidPin;
import dev.atpin.watcher.RecordPins;
import dev.atpin.watcher.WatcherConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.UUID;

/**
 * Adding and removing pins from the dashboard. An enrolled user's repo is the owner of their pins: a pin added
 * here becomes a {@code dev.atpin.pin} record written through their OAuth session (the watcher then makes the
 * request), and removing a record's pin deletes the record. Without enrollment pins are plain API requests.
 */
@ApplicationScoped
public class PinActions {

    /** What adding did: a request made now, or a record the watcher will turn into one. */
    public sealed interface Added {
        record Request(String id) implements Added {}

        record Record(String rkey) implements Added {}
    }

    /** What removing did: the request is gone, or its record is deleted and the watcher releases it. */
    public enum Removed { REQUEST, RECORD }

    private final PinService pins;
    private final PinInputs inputs;
    private final RepoEnrollment repo;
    private final XrpcClient xrpc;
    private final String collection;

    PinActions(PinService pins, PinInputs inputs, RepoEnrollment repo, XrpcClient xrpc, WatcherConfig watcher) {
        this.pins = pins;
        this.inputs = inputs;
        this.repo = repo;
        this.xrpc = xrpc;
        this.collection = watcher.pinCollection();
    }

    /**
     * @throws ApiException the input is invalid or a limit refuses it (its message is for the user)
     * @throws dev.atpin.oauth.XrpcException the PDS refused the record
     */
    public Added add(OAuthSession session, String cid, String name, String origins) throws Exception {
        ValidPin pin = inputs.pin(body(cid, name, origins));
        if (!repo.view(session.did()).followed()) {
            PinStatusDto added = Retry.onConflict(() -> pins.add(session.did(), pin));
            return new Added.Request(added.requestid());
        }
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("cid", pin.cidInput());
        if (pin.name() != null) {
            record.put("name", pin.name());
        }
        if (!pin.origins().isEmpty()) {
            record.put("origins", pin.origins());
        }
        record.put("createdAt", Instant.now().toString());
        String rkey = pin.cid().normalized();
        xrpc.createRecord(session, collection, rkey, record);
        return new Added.Record(rkey);
    }

    /** @throws ApiException 404 for a request the user does not have */
    public Removed remove(OAuthSession session, UUID id) throws Exception {
        PinStatusDto pin = pins.get(session.did(), id);
        String source = pin.info().get("source");
        if (source == null || "api".equals(source)) {
            Retry.onConflict(() -> {
                pins.delete(session.did(), id);
                return null;
            });
            return Removed.REQUEST;
        }
        String prefix = RecordPins.uri(session.did(), collection + "/");
        if (!source.startsWith(prefix)) {
            throw new ApiException(ApiException.Kind.CONFLICT, "NOT_OUR_RECORD", "this pin follows " + source
                    + ", which is not a pin record in your repo; delete it there");
        }
        xrpc.deleteRecord(session, collection, source.substring(prefix.length()));
        return Removed.RECORD;
    }

    /** The request made from a record in the user's repo, once the watcher has seen it. */
    public java.util.Optional<PinStatusDto> fromRecord(String did, String rkey) throws SQLException {
        return pins.list(did, inputs.query(new jakarta.ws.rs.core.MultivaluedHashMap<>(Map.of(
                "cid", rkey, "status", "queued,pinning,pinned,failed", "limit", "10"))))
                .results().stream().filter(p -> RecordPins.uri(did, collection + "/" + rkey)
                        .equals(p.info().get("source"))).findFirst();
    }

    /** Why the watcher could not pin the record, if it said so. */
    public java.util.Optional<String> recordProblem(String did, String rkey) {
        return java.util.Optional.ofNullable(repo.view(did).problems().get(collection + "/" + rkey));
    }

    public String recordUri(String did, String rkey) {
        return RecordPins.uri(did, collection + "/" + rkey);
    }

    private static PinDto.Incoming body(String cid, String name, String origins) {
        JsonNodeFactory json = JsonNodeFactory.instance;
        JsonNode cidNode = cid == null || cid.isBlank() ? null : json.textNode(cid.strip());
        JsonNode nameNode = name == null || name.isBlank() ? null : json.textNode(name.strip());
        ArrayNode originNodes = json.arrayNode();
        if (origins != null) {
            for (String line : origins.split("[\\s,]+")) {
                if (!line.isBlank()) {
                    originNodes.add(line.strip());
                }
            }
        }
        return new PinDto.Incoming(cidNode, nameNode, originNodes.isEmpty() ? null : originNodes, null);
    }
}
