package dev.atpin.pins;

import java.util.Locale;
import java.util.Optional;

/** The spec's {@code TextMatchingStrategy} for the {@code name} filter. */
public enum TextMatch {
    EXACT, IEXACT, PARTIAL, IPARTIAL;

    public static Optional<TextMatch> parse(String value) {
        try {
            return Optional.of(valueOf(value.toUpperCase(Locale.ROOT)));
        } catch (IllegalArgumentException e) {
            return Optional.empty();
        }
    }
}
