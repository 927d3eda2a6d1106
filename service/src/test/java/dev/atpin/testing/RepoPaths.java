package dev.atpin.testing;

import java.nio.file.Files;
import java.nio.file.Path;

/** Where the repository is, so tests can use its scripts and reference files. */
public final class RepoPaths {

    private RepoPaths() {}

    public static Path root() {
        String configured = System.getProperty("atpin.repo.root");
        Path start = configured != null ? Path.of(configured) : Path.of("").toAbsolutePath();
        for (Path p = start.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve("scripts/versions.env"))) {
                return p;
            }
        }
        throw new IllegalStateException("cannot find the repository root from " + start);
    }

    /** {@code ../shared/reference} next to the repo (read-only), where the upstream spec lives. */
    public static Path sharedReference() {
        return root().resolveSibling("shared").resolve("reference");
    }
}
