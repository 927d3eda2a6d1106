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
    WRITE,
    /**
     * The operator admin API, for a DID listed as an operator: with {@link #WRITE} it may change
     * accounts, without it only look. Minted by the operator CLI only, never from the dashboard.
     */
    ADMIN;

    /** The scopes a user may give their own tokens (the dashboard offers these). */
    public static final Set<Scope> TENANT_SCOPES = Set.of(READ, WRITE);

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
