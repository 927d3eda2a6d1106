package dev.atpin.pins;

import dev.atpin.dispatch.NodeRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/** Turns requests into the API's {@code PinStatus}: the info map, the created timestamp, the delegates. */
@ApplicationScoped
public class PinViews {

    private static final DateTimeFormatter CREATED =
            DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ss.SSS'Z'").withZone(ZoneOffset.UTC);
    private static final int MAX_DELEGATES = 20;

    private final NodeRegistry nodes;

    PinViews(NodeRegistry nodes) {
        this.nodes = nodes;
    }

    /** @param placements for each CID, the nodes its content is (to be) pinned on */
    public List<PinStatusDto> of(List<PinRequest> requests, Map<String, List<String>> placements) {
        return of(requests, placements, Map.of());
    }

    /**
     * @param placements for each CID, the nodes that hold it or are fetching it (its delegates)
     * @param replicas for each CID, its copies pinned and wanted ({@code info.replicas_pinned/_wanted})
     */
    public List<PinStatusDto> of(List<PinRequest> requests, Map<String, List<String>> placements,
            Map<String, PinStore.Replicas> replicas) {
        List<PinStatusDto> out = new ArrayList<>(requests.size());
        for (PinRequest r : requests) {
            Map<String, String> info = new LinkedHashMap<>();
            info.put("source", r.source());
            PinStore.Replicas copies = replicas.get(r.cid());
            if (copies != null) {
                info.put("replicas_pinned", Integer.toString(copies.pinned()));
                info.put("replicas_wanted", Integer.toString(copies.wanted()));
            }
            if (PinStatus.FAILED.equals(r.status()) && r.statusDetails() != null) {
                info.put("status_details", r.statusDetails());
            }
            if (PinStatus.PINNED.equals(r.status()) && r.dagSize() != null) {
                info.put("dag_size", r.dagSize().toString());
            }
            if (PinStatus.PINNED.equals(r.status()) && r.restoredFrom() != null) {
                info.put("status_details", r.restoredFrom());
            }
            out.add(new PinStatusDto(r.id().toString(), r.status(), CREATED.format(r.created()),
                    new PinDto(r.cidInput(), r.name(), r.origins(), r.meta()),
                    delegates(placements.getOrDefault(r.cid(), List.of())), info));
        }
        return out;
    }

    /** Multiaddrs of the nodes that hold or will hold the content; never empty while any node was reached. */
    private List<String> delegates(List<String> placedOn) {
        Set<String> out = new LinkedHashSet<>();
        placedOn.forEach(node -> out.addAll(nodes.delegatesOf(node)));
        if (out.isEmpty()) {
            out.addAll(nodes.anyDelegates());
        }
        return out.stream().limit(MAX_DELEGATES).toList();
    }
}
