package dev.atpin.watcher;

import dev.atpin.ipld.Cid;
import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Multiaddr;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * A pin record ({@code openapi/lexicons/dev/atpin/pin.json}), validated. The rkey must be the
 * CIDv1 (base32) of {@code cid}, so a repo holds at most one record per content.
 *
 * @param backup the same bytes as an atproto blob, to rebuild the DAG when the network has lost it
 */
public record PinRecord(Cid cid, String cidText, Optional<String> name, List<String> origins, Optional<Backup> backup,
        String createdAt) {

    static final int MAX_NAME = 255;
    static final int MAX_ORIGINS = 20;

    /** The blob and how to import it into UnixFS so that the result is {@code cid} again. */
    public record Backup(Cid blob, String mimeType, long size, ImportProfile profile) {}

    /** A record that could not be validated: why, for the user's status page. */
    public static final class Invalid extends Exception {
        public Invalid(String message) {
            super(message, null, false, false);
        }
    }

    /** Validates a decoded record stored at {@code collection/rkey}. */
    public static PinRecord parse(String collection, String rkey, Object value) throws Invalid {
        if (!(value instanceof Map<?, ?> record)) {
            throw new Invalid("the record is not an object");
        }
        Object type = record.get("$type");
        if (!collection.equals(type)) {
            throw new Invalid("$type must be " + collection + ", not " + type);
        }
        if (!(record.get("cid") instanceof String cidText)) {
            throw new Invalid("'cid' must be a string");
        }
        Cid cid;
        try {
            cid = Cid.parse(cidText);
        } catch (IpldException e) {
            throw new Invalid("'cid' is not a valid CID: " + e.getMessage());
        }
        if (!cid.normalized().equals(rkey)) {
            throw new Invalid("the record key must be the CIDv1 (base32) of 'cid', " + cid.normalized() + ", not " + rkey);
        }
        Optional<String> name = Optional.empty();
        if (record.get("name") != null) {
            if (!(record.get("name") instanceof String n) || n.codePointCount(0, n.length()) > MAX_NAME) {
                throw new Invalid("'name' must be a string of at most " + MAX_NAME + " characters");
            }
            name = Optional.of(n);
        }
        List<String> origins = origins(record.get("origins"));
        Optional<Backup> backup = record.get("backup") == null ? Optional.empty() : Optional.of(backup(record.get("backup")));
        if (!(record.get("createdAt") instanceof String createdAt) || !isDatetime(createdAt)) {
            throw new Invalid("'createdAt' must be an RFC 3339 datetime");
        }
        return new PinRecord(cid, cidText, name, origins, backup, createdAt);
    }

    private static List<String> origins(Object value) throws Invalid {
        if (value == null) {
            return List.of();
        }
        if (!(value instanceof List<?> list) || list.size() > MAX_ORIGINS) {
            throw new Invalid("'origins' must be an array of at most " + MAX_ORIGINS + " multiaddrs");
        }
        List<String> out = new ArrayList<>();
        for (Object o : list) {
            if (!(o instanceof String text)) {
                throw new Invalid("each origin must be a multiaddr string");
            }
            try {
                out.add(Multiaddr.parse(text).toString());
            } catch (IpldException e) {
                throw new Invalid("'" + text + "' is not a multiaddr: " + e.getMessage());
            }
        }
        return List.copyOf(out);
    }

    private static Backup backup(Object value) throws Invalid {
        if (!(value instanceof Map<?, ?> backup) || !(backup.get("blob") instanceof Map<?, ?> blob)) {
            throw new Invalid("'backup' must be an object with a 'blob'");
        }
        if (!"blob".equals(blob.get("$type")) || !(blob.get("ref") instanceof Cid ref)
                || !(blob.get("mimeType") instanceof String mime) || !(blob.get("size") instanceof Number size)) {
            throw new Invalid("'backup.blob' must be an atproto blob ($type blob, ref, mimeType, size)");
        }
        Object profileName = backup.get("importProfile");
        ImportProfile profile = profileName == null ? ImportProfile.UNIXFS_V1_2025
                : ImportProfile.byName(String.valueOf(profileName))
                        .orElseThrow(() -> new Invalid("unknown 'backup.importProfile' " + profileName
                                + "; known: " + ImportProfile.names()));
        return new Backup(ref, mime, size.longValue(), profile);
    }

    private static boolean isDatetime(String text) {
        try {
            OffsetDateTime.parse(text);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }
}
