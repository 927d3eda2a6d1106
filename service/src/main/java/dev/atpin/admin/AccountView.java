package dev.atpin.admin;

import java.util.Map;

/**
 * An account as operators see it: plan, effective limits, overrides and usage.
 *
 * @param version bumped by every operator change; send it back as {@code If-Match} to change the account
 */
public record AccountView(String did, String handle, String status, String statusReason, String plan,
        Map<String, Object> limits, Map<String, Object> overrides, Map<String, Long> pinsByStatus, long pins,
        long bytes, String createdAt, long version) {}
