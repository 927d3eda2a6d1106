package dev.atpin.watcher;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * How bytes become a UnixFS DAG (the IPIP-499 profiles): the same bytes give the same root CID
 * only with the same settings, so a backup blob names the profile it was imported with.
 */
public enum ImportProfile {
    /** CIDv1, raw leaves, 1 MiB chunks, up to 1024 links per node. */
    UNIXFS_V1_2025("unixfs-v1-2025", Map.of("cid-version", "1", "raw-leaves", "true", "chunker", "size-1048576")),
    /** CIDv0, dag-pb leaves, 256 KiB chunks: what Kubo did by default for years. */
    UNIXFS_V0_2015("unixfs-v0-2015", Map.of("cid-version", "0", "raw-leaves", "false", "chunker", "size-262144"));

    private final String id;
    private final Map<String, String> addOptions;

    ImportProfile(String id, Map<String, String> addOptions) {
        this.id = id;
        this.addOptions = addOptions;
    }

    public String id() {
        return id;
    }

    /** Kubo {@code add} options that reproduce the profile. */
    public Map<String, String> addOptions() {
        return addOptions;
    }

    public static Optional<ImportProfile> byName(String name) {
        return Arrays.stream(values()).filter(p -> p.id.equals(name)).findFirst();
    }

    public static List<String> names() {
        return Arrays.stream(values()).map(ImportProfile::id).toList();
    }
}
