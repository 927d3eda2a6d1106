package dev.atpin.pins;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * One row of {@code pin_request} with what the API shows of its content.
 *
 * @param cid the normalized CID (CIDv1 base32), the key of the shared content
 * @param cidInput the CID as the client sent it, returned unchanged
 * @param source {@code api}, or the {@code at://} URI of the record that asked for the pin
 * @param statusDetails why the request failed, when it did: its own limit, or why the content failed
 * @param dagSize the content's DAG size in bytes, once known
 * @param overQuota the request failed on its own limits, and so no longer holds a reference to the content
 * @param restoredFrom how the content was rebuilt from an atproto blob, when it was
 */
public record PinRequest(UUID id, String did, String cid, String cidInput, String name, Map<String, String> meta,
        List<String> origins, String status, Instant created, String source, String statusDetails, Long dagSize,
        boolean overQuota, String restoredFrom) {

    public static final String SOURCE_API = "api";

    public boolean ownedByRecord() {
        return !SOURCE_API.equals(source);
    }
}
