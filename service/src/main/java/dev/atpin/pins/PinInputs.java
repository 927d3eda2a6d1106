package dev.atpin.pins;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.api.ApiConfig;
import dev.atpin.api.ApiException;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Multiaddr;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.MultivaluedMap;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * Turns what a client sends into validated values, or a 400 whose reason says what was wrong.
 * Every size is bounded here (see {@link ApiConfig}), before anything reaches the database.
 */
@ApplicationScoped
public class PinInputs {

    static final int MAX_CIDS = 10;
    static final int MAX_LIMIT = 1000;
    static final int DEFAULT_LIMIT = 10;
    static final Instant EARLIEST = Instant.parse("0001-01-01T00:00:00Z");
    static final Instant LATEST = Instant.parse("9999-12-31T23:59:59.999Z");

    private final ApiConfig limits;
    private final ObjectMapper json;

    PinInputs(ApiConfig limits, ObjectMapper json) {
        this.limits = limits;
        this.json = json;
    }

    /**
     * A Pin object from a raw body, read and refused exactly as the JSON reader of a resource declaring
     * {@code @Consumes(APPLICATION_JSON)} would: 415 for another media type (none is taken as JSON), 400 for
     * malformed JSON or another shape ({@code ApiExceptionMapper}), an empty body as no body.
     */
    public ValidPin pin(byte[] body, MediaType type) throws java.io.IOException {
        if (type != null && !type.isCompatible(MediaType.APPLICATION_JSON_TYPE)) {
            throw new NotSupportedException();
        }
        return pin(body.length == 0 ? null : json.readValue(body, PinDto.Incoming.class));
    }

    public ValidPin pin(PinDto.Incoming body) {
        if (body == null) {
            throw ApiException.badRequest("BAD_REQUEST_BODY", "the request body must be a Pin object");
        }
        if (body.cid() == null || body.cid().isNull()) {
            throw ApiException.badRequest("MISSING_CID", "'cid' is required");
        }
        if (!body.cid().isTextual()) {
            throw ApiException.badRequest("INVALID_CID", "'cid' must be a string");
        }
        String cidText = body.cid().asText().strip();
        Cid cid = parseCid(cidText);
        return new ValidPin(cid, cidText, name(body.name()), origins(body.origins()), meta(body.meta()));
    }

    public PinQuery query(MultivaluedMap<String, String> params) {
        Set<String> cids = new LinkedHashSet<>();
        for (String part : splitList(params.get("cid"))) {
            cids.add(parseCid(part).normalized());
        }
        if (cids.size() > MAX_CIDS) {
            throw ApiException.badRequest("TOO_MANY_CIDS", "at most " + MAX_CIDS + " CIDs per query, got " + cids.size());
        }
        Optional<String> name = Optional.ofNullable(params.getFirst("name"));
        name.ifPresent(n -> checkNameLength(n));
        TextMatch match = Optional.ofNullable(params.getFirst("match"))
                .map(m -> TextMatch.parse(m).orElseThrow(() -> ApiException.badRequest("INVALID_MATCH",
                        "'match' must be one of exact, iexact, partial, ipartial; got '" + m + "'")))
                .orElse(TextMatch.EXACT);
        Set<String> statuses = new LinkedHashSet<>();
        for (String s : splitList(params.get("status"))) {
            if (!PinStatus.ALL.contains(s)) {
                throw ApiException.badRequest("INVALID_STATUS",
                        "'status' values must be queued, pinning, pinned or failed; got '" + s + "'");
            }
            statuses.add(s);
        }
        Optional<Instant> before = timestamp(params, "before");
        Optional<Instant> after = timestamp(params, "after");
        int limit = limit(params.getFirst("limit"));
        Map<String, String> meta = params.containsKey("meta") ? metaFilter(params.getFirst("meta")) : Map.of();
        boolean otherFilter = !cids.isEmpty() || name.isPresent() || before.isPresent() || after.isPresent()
                || params.containsKey("meta");
        if (statuses.isEmpty()) {
            // The spec's default is "pinned"; with another filter Kubo and the compliance suite
            // expect every status, so that a just-added pin can be found by its cid or name.
            statuses = otherFilter ? PinStatus.ALL : Set.of(PinStatus.PINNED);
        }
        return new PinQuery(cids, name, match, statuses, before, after, limit, meta);
    }

    private Cid parseCid(String text) {
        try {
            return Cid.parse(text);
        } catch (IpldException e) {
            throw ApiException.badRequest("INVALID_CID", "'" + abbreviate(text) + "' is not a valid CID: " + e.getMessage());
        }
    }

    private String name(JsonNode node) {
        if (node == null || node.isNull()) {
            return null;
        }
        if (!node.isTextual()) {
            throw ApiException.badRequest("INVALID_NAME", "'name' must be a string");
        }
        checkNameLength(node.asText());
        return node.asText();
    }

    private void checkNameLength(String name) {
        if (name.indexOf('\u0000') >= 0) {
            throw ApiException.badRequest("INVALID_NAME", "'name' must not contain the NUL character (U+0000)");
        }
        if (name.codePointCount(0, name.length()) > limits.maxNameLength()) {
            throw ApiException.badRequest("NAME_TOO_LONG", "'name' may have at most " + limits.maxNameLength()
                    + " characters");
        }
    }

    private List<String> origins(JsonNode node) {
        if (node == null || node.isNull()) {
            return List.of();
        }
        if (!node.isArray()) {
            throw ApiException.badRequest("INVALID_ORIGINS", "'origins' must be an array of multiaddrs");
        }
        if (node.size() > limits.maxOrigins()) {
            throw ApiException.badRequest("TOO_MANY_ORIGINS", "at most " + limits.maxOrigins() + " origins, got "
                    + node.size());
        }
        List<String> origins = new ArrayList<>();
        for (JsonNode o : node) {
            if (!o.isTextual()) {
                throw ApiException.badRequest("INVALID_ORIGINS", "each origin must be a multiaddr string");
            }
            try {
                origins.add(Multiaddr.parse(o.asText()).toString());
            } catch (IpldException e) {
                throw ApiException.badRequest("INVALID_ORIGINS", "'" + abbreviate(o.asText())
                        + "' is not a valid multiaddr: " + e.getMessage());
            }
        }
        return List.copyOf(new LinkedHashSet<>(origins));
    }

    private Map<String, String> meta(JsonNode node) {
        if (node == null || node.isNull()) {
            return Map.of();
        }
        if (!node.isObject()) {
            throw ApiException.badRequest("INVALID_META", "'meta' must be an object of string values");
        }
        return boundedStrings(node, "INVALID_META");
    }

    private Map<String, String> metaFilter(String text) {
        JsonNode node;
        try {
            node = json.readTree(text == null ? "" : text);
        } catch (JsonProcessingException e) {
            throw ApiException.badRequest("INVALID_META", "'meta' must be a URL-escaped JSON object, e.g. "
                    + "meta=%7B%22app%22%3A%22x%22%7D");
        }
        if (node == null || !node.isObject()) {
            throw ApiException.badRequest("INVALID_META", "'meta' must be a JSON object of string values");
        }
        return boundedStrings(node, "INVALID_META");
    }

    private Map<String, String> boundedStrings(JsonNode object, String reason) {
        if (object.size() > limits.maxMetaKeys()) {
            throw ApiException.badRequest(reason, "'meta' may have at most " + limits.maxMetaKeys() + " keys");
        }
        Map<String, String> out = new LinkedHashMap<>();
        Iterator<Map.Entry<String, JsonNode>> fields = object.fields();
        while (fields.hasNext()) {
            Map.Entry<String, JsonNode> field = fields.next();
            // PostgreSQL's text and jsonb cannot hold U+0000: refuse it here rather than fail in the database.
            if (field.getKey().indexOf('\u0000') >= 0
                    || (field.getValue().isTextual() && field.getValue().asText().indexOf('\u0000') >= 0)) {
                throw ApiException.badRequest(reason, "'meta' keys and values must not contain the NUL character (U+0000)");
            }
            if (field.getKey().length() > limits.maxMetaKeyLength()) {
                throw ApiException.badRequest(reason, "'meta' keys may have at most " + limits.maxMetaKeyLength()
                        + " characters");
            }
            if (!field.getValue().isTextual()) {
                throw ApiException.badRequest(reason, "'meta." + abbreviate(field.getKey()) + "' must be a string");
            }
            if (field.getValue().asText().length() > limits.maxMetaValueLength()) {
                throw ApiException.badRequest(reason, "'meta' values may have at most "
                        + limits.maxMetaValueLength() + " characters");
            }
            out.put(field.getKey(), field.getValue().asText());
        }
        return out;
    }

    private static Optional<Instant> timestamp(MultivaluedMap<String, String> params, String key) {
        String value = params.getFirst(key);
        if (value == null) {
            return Optional.empty();
        }
        try {
            Instant instant = OffsetDateTime.parse(value).toInstant();
            // RFC 3339 has four-digit years; beyond them PostgreSQL's timestamps end (a 500, not an answer).
            if (instant.isBefore(EARLIEST) || instant.isAfter(LATEST)) {
                throw ApiException.badRequest("INVALID_TIMESTAMP", "'" + key + "' must be between "
                        + EARLIEST + " and " + LATEST + "; got '" + abbreviate(value) + "'");
            }
            return Optional.of(instant);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("INVALID_TIMESTAMP", "'" + key
                    + "' must be an RFC 3339 timestamp such as 2026-01-31T12:00:00.000Z; got '" + abbreviate(value) + "'");
        }
    }

    private static int limit(String value) {
        if (value == null) {
            return DEFAULT_LIMIT;
        }
        try {
            int limit = Integer.parseInt(value.strip());
            if (limit >= 1 && limit <= MAX_LIMIT) {
                return limit;
            }
        } catch (NumberFormatException e) {
            // reported below
        }
        throw ApiException.badRequest("INVALID_LIMIT", "'limit' must be an integer from 1 to " + MAX_LIMIT
                + "; got '" + abbreviate(value) + "'");
    }

    /** The spec's arrays in query strings are comma-separated; repeating the parameter works too. */
    private static List<String> splitList(List<String> values) {
        List<String> out = new ArrayList<>();
        if (values != null) {
            for (String v : values) {
                for (String part : v.split(",")) {
                    if (!part.isBlank()) {
                        out.add(part.strip());
                    }
                }
            }
        }
        return out;
    }

    private static String abbreviate(String s) {
        return s.length() > 80 ? s.substring(0, 80) + "…" : s;
    }
}
