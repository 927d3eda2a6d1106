package dev.atpin.auth;

import java.util.EnumSet;
import java.util.Locale;
import java.util.Optional;
import java.util.Set;

/** What an API token may do. */
public enum Scope {
    /** List and get pins. */
    READ,
    /** Add, replace and delete pins. */
    WRITE;

    public String claim() {
        return name().toLowerCase(Locale.ROOT);
    }

    public static Optional<Scope> fromClaim(String value) {
        for (Scope s : values()) {
            if (s.claim().equals(value)) {
                return Optional.of(s);
            }
        }
        return Optional.empty();
    }

    public static Set<Scope> parseList(String commaSeparated) {
        Set<Scope> scopes = EnumSet.noneOf(Scope.class);
        for (String part : commaSeparated.split("[,\\s]+")) {
            if (!part.isBlank()) {
                scopes.add(fromClaim(part.trim().toLowerCase(Locale.ROOT))
                        .orElseThrow(() -> new IllegalArgumentException("unknown scope: " + part)));
            }
        }
        return scopes;
    }
}
