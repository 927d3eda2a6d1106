package dev.atpin.kubo;

import java.util.List;

/** What a Kubo node says about itself ({@code /api/v0/id}). */
public record NodeIdentity(String peerId, List<String> addresses, String agentVersion) {

    /** The release from the agent version ({@code kubo/0.43.0/abc} → {@code 0.43.0}); the whole agent otherwise. */
    public String version() {
        String[] parts = agentVersion.split("/");
        return parts.length > 1 ? parts[1] : agentVersion;
    }
}
