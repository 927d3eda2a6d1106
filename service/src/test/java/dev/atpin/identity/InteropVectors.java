package dev.atpin.identity;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** Reads the atproto interop test vectors copied into {@code src/test/resources/atproto-interop} (CC0). */
final class InteropVectors {

    private InteropVectors() {}

    static String read(String file) {
        try (InputStream in = InteropVectors.class.getResourceAsStream("/atproto-interop/" + file)) {
            if (in == null) {
                throw new IllegalStateException("missing test resource atproto-interop/" + file);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Non-empty lines that are not {@code #} comments, kept verbatim (some vectors test whitespace). */
    static List<String> lines(String file) {
        return read(file).lines().filter(l -> !l.isEmpty() && !l.startsWith("#")).toList();
    }
}
