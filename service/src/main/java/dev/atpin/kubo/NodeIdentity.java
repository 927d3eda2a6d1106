package dev.atpin.kubo;

import java.util.List;

/** What a Kubo node says about itself ({@code /api/v0/id}). */
public record NodeIdentity(String peerId, List<String> addresses, String agentVersion) {}
