package dev.atpin.admin;

import java.util.Map;

/** An account as operators see it: plan, effective limits, overrides and usage. */
public record AccountView(String did, String handle, String status, String statusReason, String plan,
        Map<String, Object> limits, Map<String, Object> overrides, Map<String, Long> pinsByStatus, long pins,
        long bytes, String createdAt) {}
