package dev.atpin.admin;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A change to an account's plan and overrides. Each field is optional: absent leaves it as it is,
 * JSON {@code null} removes an override (the plan's value applies again).
 */
public record AccountPatch(JsonNode plan, JsonNode maxPins, JsonNode maxBytes, JsonNode maxPinSize, JsonNode replication,
        JsonNode rateLimit) {}
