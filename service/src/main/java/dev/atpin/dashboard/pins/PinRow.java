package dev.atpin.dashboard.pins;

import dev.atpin.dashboard.Formats;
import dev.atpin.ipld.Cid;
import dev.atpin.pins.PinStatus;
import dev.atpin.pins.PinStatusDto;
import java.time.Instant;
import java.util.List;

/**
 * One pin request as the table shows it.
 *
 * @param cursor     its {@code created} as the API writes it: the {@code before} of the next page
 * @param progress   for a pin in progress, what is happening (waiting, fetching N blocks, retrying)
 * @param recordUri  the {@code at://} URI of the record it follows, or null for an API pin
 */
public record PinRow(String id, String name, String cid, String normalizedCid, String status, String progress,
        String recordUri, String created, String cursor, String size) {

    public boolean inProgress() {
        return PinStatus.QUEUED.equals(status) || PinStatus.PINNING.equals(status);
    }

    public boolean fromRecord() {
        return recordUri != null;
    }

    /** The CID shortened for the table (the full one is in its title and on the details page). */
    public String shortCid() {
        return cid.length() <= 20 ? cid : cid.substring(0, 10) + "…" + cid.substring(cid.length() - 6);
    }

    public String label() {
        return name == null || name.isBlank() ? shortCid() : name;
    }

    static PinRow of(PinStatusDto dto, List<PinReplicas.Replica> replicas) {
        String source = dto.info().get("source");
        String size = dto.info().get("dag_size");
        return new PinRow(dto.requestid(), dto.pin().name(), dto.pin().cid(), Cid.parse(dto.pin().cid()).normalized(),
                dto.status(), progress(dto.status(), replicas), source == null || "api".equals(source) ? null : source,
                Formats.when(Instant.parse(dto.created())), dto.created(),
                size == null ? "" : Formats.bytes(Long.parseLong(size)));
    }

    /** In words: the copy furthest along tells the story. */
    static String progress(String status, List<PinReplicas.Replica> replicas) {
        if (!PinStatus.QUEUED.equals(status) && !PinStatus.PINNING.equals(status)) {
            return "";
        }
        PinReplicas.Replica pinning = replicas.stream().filter(r -> "pinning".equals(r.state())).findFirst().orElse(null);
        if (pinning != null) {
            return pinning.blocks() == null || pinning.blocks() == 0 ? "looking for the content on the network"
                    : "fetching: " + Formats.count(pinning.blocks()) + " blocks so far";
        }
        PinReplicas.Replica retrying = replicas.stream().filter(r -> r.attempts() > 0).findFirst().orElse(null);
        if (retrying != null) {
            return "not found yet; attempt " + (retrying.attempts() + 1) + " at "
                    + Formats.whenSeconds(retrying.nextAttempt());
        }
        return "waiting for a node";
    }
}
