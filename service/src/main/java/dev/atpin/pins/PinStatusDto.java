package dev.atpin.pins;

import java.util.List;
import java.util.Map;

/** The spec's {@code PinStatus}. {@code created} is RFC 3339 with milliseconds, in UTC. */
public record PinStatusDto(String requestid, String status, String created, PinDto pin, List<String> delegates,
        Map<String, String> info) {}
