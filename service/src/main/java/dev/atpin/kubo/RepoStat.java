package dev.atpin.kubo;

/** How full a Kubo node's repository is ({@code /api/v0/repo/stat}). */
public record RepoStat(long repoSizeBytes, long storageMaxBytes) {

    /** Bytes the node may still take before reaching its {@code Datastore.StorageMax}; never negative. */
    public long freeBytes() {
        return Math.max(0, storageMaxBytes - repoSizeBytes);
    }
}
