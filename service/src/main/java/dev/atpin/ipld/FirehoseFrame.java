package dev.atpin.ipld;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.OptionalLong;
import java.util.Set;

/**
 * One binary WebSocket message of {@code com.atproto.sync.subscribeRepos}: two DAG-CBOR values back to back, a
 * header {@code {op: 1, t: "#commit"}} (or {@code {op: -1}} for an error) and a payload map.
 *
 * <p>{@link #parse} decodes only the header. {@link #did()} and {@link #seq()} then read just those fields of the
 * payload, skipping the rest unread (the {@code blocks} CAR is most of a commit), so a consumer that watches a few
 * accounts out of the whole network can drop other accounts' frames cheaply. {@link #body()} and {@link #event()}
 * decode and check the full payload on first use and keep the result. Instances are not thread-safe.
 */
public final class FirehoseFrame {

    /** The largest frame accepted: the sync spec's hard limit of 5 MB, read generously as MiB. */
    public static final int MAX_BYTES = 5 * 1024 * 1024;

    private static final DagCbor.Limits HEADER_LIMITS = new DagCbor.Limits(MAX_BYTES, 2, 16);
    private static final Set<String> COMMIT_FIELDS = Set.of("repo", "seq");
    private static final Set<String> OTHER_FIELDS = Set.of("did", "seq");

    private final byte[] bytes;
    private final Header header;
    private final int bodyOffset;
    private Map<String, Object> scanned;
    private Map<String, Object> body;
    private FirehoseEvent event;

    /**
     * A frame header.
     *
     * @param op   1 for a message, -1 for an error; other values are unknown and should be ignored
     * @param type for messages, the payload type such as {@code #commit}; otherwise null
     */
    public record Header(long op, String type) {

        /** {@code op} of a regular message. */
        public static final long MESSAGE = 1;
        /** {@code op} of an error frame. */
        public static final long ERROR = -1;

        /**
         * Whether this is a regular message.
         *
         * @return true for op 1
         */
        public boolean isMessage() {
            return op == MESSAGE;
        }

        /**
         * Whether this is an error frame, after which the server closes the stream.
         *
         * @return true for op -1
         */
        public boolean isError() {
            return op == ERROR;
        }
    }

    private FirehoseFrame(byte[] bytes, Header header, int bodyOffset) {
        this.bytes = bytes;
        this.header = header;
        this.bodyOffset = bodyOffset;
    }

    /**
     * Splits a message and decodes its header. The array is kept, not copied: do not modify it afterwards.
     *
     * @param message the complete binary WebSocket message
     * @return the frame
     * @throws IpldException if the message is larger than {@link #MAX_BYTES}, the header is not valid DAG-CBOR
     *                       or not a header, or no payload follows it — invalid framing, on which the spec says to
     *                       drop the connection
     */
    public static FirehoseFrame parse(byte[] message) {
        Objects.requireNonNull(message, "message");
        if (message.length > MAX_BYTES) {
            throw new IpldException("invalid frame: " + message.length + " bytes exceed the limit of " + MAX_BYTES);
        }
        DagCbor.Decoded decoded;
        try {
            decoded = DagCbor.decodeFirst(message, 0, message.length, HEADER_LIMITS);
        } catch (IpldException e) {
            throw new IpldException("invalid frame header: " + e.getMessage(), e);
        }
        if (!(decoded.value() instanceof Map<?, ?> map)) {
            throw new IpldException("invalid frame header: not a map");
        }
        if (!(map.get("op") instanceof Long op)) {
            throw new IpldException("invalid frame header: op must be an integer");
        }
        Object type = map.get("t");
        if (type != null && !(type instanceof String)) {
            throw new IpldException("invalid frame header: t must be a string");
        }
        if (op == Header.MESSAGE && type == null) {
            throw new IpldException("invalid frame header: a message (op 1) needs a type t");
        }
        if (decoded.length() == message.length) {
            throw new IpldException("invalid frame: no payload after the header");
        }
        return new FirehoseFrame(message, new Header(op, op == Header.ERROR ? null : (String) type),
                decoded.length());
    }

    /**
     * The header, decoded by {@link #parse}.
     *
     * @return the header
     */
    public Header header() {
        return header;
    }

    /**
     * The account the payload is about, read without decoding the rest: {@code repo} for {@code #commit},
     * {@code did} for every other type.
     *
     * @return the DID, or null if the payload has no such string field (errors, {@code #info})
     * @throws IpldException if the payload is not a map or is malformed before the field
     */
    public String did() {
        Object value = scan().get("#commit".equals(header.type()) ? "repo" : "did");
        return value instanceof String did ? did : null;
    }

    /**
     * The payload's stream sequence number, read without decoding the rest.
     *
     * @return the {@code seq}, or empty if the payload has none (errors, {@code #info})
     * @throws IpldException if the payload is not a map or is malformed before the field
     */
    public OptionalLong seq() {
        return scan().get("seq") instanceof Long seq ? OptionalLong.of(seq) : OptionalLong.empty();
    }

    private Map<String, Object> scan() {
        if (scanned == null) {
            scanned = body != null ? body : DagCbor.scan(bytes, bodyOffset, bytes.length - bodyOffset,
                    "#commit".equals(header.type()) ? COMMIT_FIELDS : OTHER_FIELDS);
        }
        return scanned;
    }

    /**
     * The whole payload, decoded and checked on first use.
     *
     * @return the payload map
     * @throws IpldException if the payload is not a valid DAG-CBOR map filling the rest of the message
     */
    public Map<String, Object> body() {
        if (body == null) {
            Object decoded;
            try {
                int length = bytes.length - bodyOffset;
                DagCbor.Decoded first = DagCbor.decodeFirst(bytes, bodyOffset, length, DagCbor.Limits.DEFAULT);
                if (first.length() != length) {
                    throw new IpldException((length - first.length()) + " trailing bytes after the payload");
                }
                decoded = first.value();
            } catch (IpldException e) {
                throw new IpldException("invalid frame payload: " + e.getMessage(), e);
            }
            if (!(decoded instanceof Map<?, ?> map)) {
                throw new IpldException("invalid frame payload: not a map");
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> typed = (Map<String, Object>) map;
            body = typed;
        }
        return body;
    }

    /**
     * The payload as a typed event.
     *
     * @return the event; {@link FirehoseEvent.Unknown} for types this code does not know
     * @throws IpldException if the payload is invalid or a known event lacks a required field
     */
    public FirehoseEvent event() {
        if (event == null) {
            event = event(header, body());
        }
        return event;
    }

    /** Maps a decoded payload to its event type. */
    private static FirehoseEvent event(Header header, Map<String, Object> body) {
        Fields f = new Fields(header.type() == null ? "error frame" : header.type(), body);
        if (header.isError()) {
            return new FirehoseEvent.Error(f.string("error"), f.optionalString("message"));
        }
        if (!header.isMessage()) {
            return new FirehoseEvent.Unknown(null, body);
        }
        return switch (header.type()) {
            case "#commit" -> new FirehoseEvent.Commit(f.integer("seq"), f.string("repo"), f.string("rev"),
                    f.optionalString("since"), f.link("commit"), f.bytes("blocks"), ops(f), f.optionalLink("prevData"),
                    f.string("time"), f.optionalBoolean("tooBig"));
            case "#sync" -> new FirehoseEvent.Sync(f.integer("seq"), f.string("did"), f.string("rev"), f.bytes("blocks"),
                    f.string("time"));
            case "#identity" -> new FirehoseEvent.Identity(f.integer("seq"), f.string("did"), f.string("time"),
                    f.optionalString("handle"));
            case "#account" -> new FirehoseEvent.Account(f.integer("seq"), f.string("did"), f.string("time"),
                    f.bool("active"), f.optionalString("status"));
            case "#info" -> new FirehoseEvent.Info(f.string("name"), f.optionalString("message"));
            default -> new FirehoseEvent.Unknown(header.type(), body);
        };
    }

    private static List<FirehoseEvent.RepoOp> ops(Fields commit) {
        if (!(commit.body().get("ops") instanceof List<?> raw)) {
            throw commit.invalid("ops", "a list");
        }
        List<FirehoseEvent.RepoOp> ops = new ArrayList<>(raw.size());
        for (Object item : raw) {
            if (!(item instanceof Map<?, ?> map)) {
                throw commit.invalid("ops", "a list of maps");
            }
            @SuppressWarnings("unchecked")
            Fields op = new Fields(commit.type() + " op", (Map<String, Object>) map);
            String action = op.string("action");
            Cid cid = op.optionalLink("cid");
            boolean delete = action.equals("delete");
            if (!delete && !action.equals("create") && !action.equals("update")) {
                throw op.invalid("action", "create, update or delete");
            }
            if (delete != (cid == null)) {
                throw op.invalid("cid", delete ? "null for a delete" : "a link for a " + action);
            }
            ops.add(new FirehoseEvent.RepoOp(action, op.string("path"), cid, op.optionalLink("prev")));
        }
        return ops;
    }

    /** Typed access to payload fields with messages that name the event and field. */
    private record Fields(String type, Map<String, Object> body) {

        IpldException invalid(String field, String expected) {
            return new IpldException("invalid " + type + ": " + field + " must be " + expected);
        }

        String string(String field) {
            if (body.get(field) instanceof String value) {
                return value;
            }
            throw invalid(field, "a string");
        }

        String optionalString(String field) {
            Object value = body.get(field);
            if (value == null || value instanceof String) {
                return (String) value;
            }
            throw invalid(field, "a string");
        }

        long integer(String field) {
            if (body.get(field) instanceof Long value) {
                return value;
            }
            throw invalid(field, "an integer");
        }

        boolean bool(String field) {
            if (body.get(field) instanceof Boolean value) {
                return value;
            }
            throw invalid(field, "a boolean");
        }

        boolean optionalBoolean(String field) {
            Object value = body.get(field);
            if (value == null || value instanceof Boolean) {
                return Objects.equals(value, Boolean.TRUE);
            }
            throw invalid(field, "a boolean");
        }

        byte[] bytes(String field) {
            if (body.get(field) instanceof byte[] value) {
                return value;
            }
            throw invalid(field, "bytes");
        }

        Cid link(String field) {
            if (body.get(field) instanceof Cid value) {
                return value;
            }
            throw invalid(field, "a link");
        }

        Cid optionalLink(String field) {
            Object value = body.get(field);
            if (value == null || value instanceof Cid) {
                return (Cid) value;
            }
            throw invalid(field, "a link");
        }
    }
}
