package dev.atpin.dashboard.pins;

import dev.atpin.dashboard.Formats;
import dev.atpin.ipld.Cid;
import dev.atpin.pins.PinStatusDto;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Everything the details page shows of one request.
 *
 * @param cidV0      the CIDv0 spelling, when the content has one (dag-pb with sha2-256)
 * @param recordLink the record as JSON at the user's PDS ({@code com.atproto.repo.getRecord}), for record pins
 * @param history    how the status got where it is, oldest first (the first line is the request's creation)
 */
public record PinDetail(PinRow row, String cidV1, String cidV0, String statusDetails, List<ReplicaLine> replicas,
        long pinnedCopies, int wantedCopies, String recordLink, List<String> delegates, List<String> origins,
        Map<String, String> meta, String created, List<HistoryLine> history) {

    /** One node's copy, in words; nodes by name only. */
    public record ReplicaLine(String node, String state, String detail) {}

    public record HistoryLine(String at, String status, String details) {}

    static PinDetail of(PinStatusDto dto, List<PinReplicas.Replica> replicas, int wanted,
            List<PinReplicas.Change> changes, String pdsUrl) {
        PinRow row = PinRow.of(dto, replicas);
        Cid cid = Cid.parse(dto.pin().cid());
        String v0 = cid.codec() == Cid.DAG_PB && cid.multihash().code() == dev.atpin.ipld.Multihash.SHA2_256
                && cid.multihash().digest().length == dev.atpin.ipld.Multihash.SHA2_256_LENGTH
                ? Cid.v0(cid.multihash()).toString() : null;
        List<ReplicaLine> lines = replicas.stream().map(PinDetail::line).toList();
        long pinned = replicas.stream().filter(r -> "pinned".equals(r.state())).count();
        List<HistoryLine> history = new ArrayList<>();
        Instant created = Instant.parse(dto.created());
        history.add(new HistoryLine(Formats.whenSeconds(created),
                changes.isEmpty() ? dto.status() : changes.getFirst().from(), "request created"));
        for (PinReplicas.Change change : changes) {
            history.add(new HistoryLine(Formats.whenSeconds(change.at()), change.to(), change.details()));
        }
        return new PinDetail(row, cid.normalized(), v0, dto.info().get("status_details"), lines, pinned, wanted,
                recordLink(row.recordUri(), pdsUrl), dto.delegates(),
                dto.pin().origins() == null ? List.of() : dto.pin().origins(),
                dto.pin().meta() == null ? Map.of() : dto.pin().meta(), Formats.whenSeconds(created), history);
    }

    private static ReplicaLine line(PinReplicas.Replica r) {
        String detail = switch (r.state()) {
            case "pinned" -> "pinned since " + Formats.whenSeconds(r.updated());
            case "pinning" -> r.blocks() == null || r.blocks() == 0 ? "looking for the content"
                    : "fetching: " + Formats.count(r.blocks()) + " blocks so far";
            case "queued" -> r.attempts() == 0 ? "waiting for a worker"
                    : "attempt " + (r.attempts() + 1) + " at " + Formats.whenSeconds(r.nextAttempt());
            case "failed" -> "gave up after " + r.attempts() + " attempts";
            default -> "";
        };
        return new ReplicaLine(r.node(), r.state(), detail);
    }

    /** {@code at://did/collection/rkey} → the record at the PDS, readable in a browser. */
    static String recordLink(String uri, String pdsUrl) {
        if (uri == null || pdsUrl == null || !uri.startsWith("at://")) {
            return null;
        }
        String[] parts = uri.substring("at://".length()).split("/");
        if (parts.length != 3) {
            return null;
        }
        return pdsUrl.replaceAll("/+$", "") + "/xrpc/com.atproto.repo.getRecord?repo=" + enc(parts[0])
                + "&collection=" + enc(parts[1]) + "&rkey=" + enc(parts[2]);
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
