package dev.atpin.dashboard.pins;

import dev.atpin.api.ApiException;
import dev.atpin.pins.PinInputs;
import dev.atpin.pins.PinQuery;
import jakarta.ws.rs.core.MultivaluedHashMap;
import jakarta.ws.rs.core.MultivaluedMap;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.LocalDate;
import java.time.ZoneOffset;
import java.time.format.DateTimeParseException;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;

/**
 * The pins table's filters as the form sends them (GET, so a filtered view is a link), turned into the same
 * {@link PinQuery} the Pinning Service API builds, through the same validation ({@link PinInputs}). Unlike the
 * API, the table shows every status unless one is chosen, and can narrow by origin (API or record) and by day.
 *
 * @param status {@code queued|pinning|pinned|failed}, or empty for all
 * @param match  how {@code name} matches: {@code exact|iexact|partial|ipartial}
 * @param from   first day (UTC, {@code yyyy-mm-dd}) of the range, or empty
 * @param to     last day of the range, or empty
 * @param source {@code api}, {@code record} or empty for both
 * @param before the paging cursor: requests created strictly before this instant
 */
public record PinFilter(String status, String name, String match, String cid, String from, String to, String source,
        String before) {

    public static final String DEFAULT_MATCH = "ipartial";

    static PinFilter of(String status, String name, String match, String cid, String from, String to, String source,
            String before) {
        return new PinFilter(clean(status), clean(name), clean(match).isEmpty() ? DEFAULT_MATCH : clean(match),
                clean(cid), clean(from), clean(to), clean(source), clean(before));
    }

    /** The query for one page, or a 400 {@link ApiException} saying which field is wrong. */
    PinQuery query(PinInputs inputs, int limit) {
        MultivaluedMap<String, String> params = new MultivaluedHashMap<>();
        params.putSingle("status", status.isEmpty() ? "queued,pinning,pinned,failed" : status);
        if (!name.isEmpty()) {
            params.putSingle("name", name);
            params.putSingle("match", match);
        }
        if (!cid.isEmpty()) {
            params.putSingle("cid", String.join(",", cid.split("[\\s,]+")));
        }
        Optional<Instant> fromDay = day("from", from);
        Optional<Instant> toDay = day("to", to).map(d -> d.plusSeconds(86_400));
        // `after` is exclusive: one millisecond before midnight keeps requests made at 00:00:00.000
        fromDay.ifPresent(f -> params.putSingle("after", f.minusMillis(1).toString()));
        Optional<Instant> cursor = before.isEmpty() ? Optional.empty() : Optional.of(instant(before));
        Optional<Instant> upper = cursor.isPresent() && toDay.isPresent()
                ? Optional.of(cursor.get().isBefore(toDay.get()) ? cursor.get() : toDay.get())
                : cursor.or(() -> toDay);
        upper.ifPresent(u -> params.putSingle("before", u.toString()));
        params.putSingle("limit", String.valueOf(limit));
        PinQuery query = inputs.query(params);
        return switch (source) {
            case "" -> query;
            case "api" -> query.withOrigin(PinQuery.Origin.API);
            case "record" -> query.withOrigin(PinQuery.Origin.RECORD);
            default -> throw ApiException.badRequest("INVALID_SOURCE", "choose API pins or record pins");
        };
    }

    /** Any filter besides paging: the empty state then says "no match" rather than "no pins yet". */
    public boolean narrowed() {
        return !status.isEmpty() || !name.isEmpty() || !cid.isEmpty() || !from.isEmpty() || !to.isEmpty()
                || !source.isEmpty();
    }

    public boolean paged() {
        return !before.isEmpty();
    }

    /** This view's query string with another paging cursor ({@code null}: the first page). */
    public String withBefore(String cursor) {
        Map<String, String> fields = new LinkedHashMap<>();
        fields.put("status", status);
        fields.put("name", name);
        fields.put("match", name.isEmpty() ? "" : match);
        fields.put("cid", cid);
        fields.put("from", from);
        fields.put("to", to);
        fields.put("source", source);
        fields.put("before", cursor == null ? "" : cursor);
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        fields.forEach((k, v) -> {
            if (!v.isEmpty()) {
                query.add(k + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        });
        return "/account/pins" + query;
    }

    public String firstPage() {
        return withBefore(null);
    }

    public boolean is(String field, String value) {
        return switch (field) {
            case "status" -> status.equals(value);
            case "match" -> match.equals(value);
            case "source" -> source.equals(value);
            default -> false;
        };
    }

    private static Optional<Instant> day(String field, String text) {
        if (text.isEmpty()) {
            return Optional.empty();
        }
        try {
            return Optional.of(LocalDate.parse(text).atStartOfDay(ZoneOffset.UTC).toInstant());
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("INVALID_DATE", "'" + field + "' must be a day such as 2026-01-31");
        }
    }

    private static Instant instant(String text) {
        try {
            return Instant.parse(text);
        } catch (DateTimeParseException e) {
            throw ApiException.badRequest("INVALID_TIMESTAMP", "this page link is broken: start again from the first page");
        }
    }

    private static String clean(String s) {
        return s == null ? "" : s.strip();
    }
}
