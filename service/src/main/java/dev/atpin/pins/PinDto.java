package dev.atpin.pins;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;

/** The spec's {@code Pin} object, as clients send it and as we return it. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record PinDto(String cid, String name, List<String> origins, Map<String, String> meta) {

    /** The raw request body: {@code meta} arrives untyped so that non-string values get a clear 400. */
    public record Incoming(JsonNode cid, JsonNode name, JsonNode origins, JsonNode meta) {}
}
