package dev.atpin.identity;

import java.util.Locale;
import java.util.Optional;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * An atproto handle, validated and normalized to lowercase (handles are case-insensitive).
 *
 * <p>Syntax per atproto.com/specs/handle: ASCII hostname of at most 253 characters, at least two labels of 1–63
 * letters, digits and inner hyphens, and a last label that does not start with a digit.
 *
 * @param value the lowercase handle, e.g. {@code alice.example.com}
 */
public record Handle(String value) {

    private static final int MAX_LENGTH = 253;
    private static final Pattern SYNTAX = Pattern.compile(
            "^([a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?\\.)+[a-zA-Z]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?$");

    // Syntactically fine, but the handle spec says these must not be resolved: they are reserved or can
    // never be a public DNS name. ".test" is for development and is only resolved with the dev flag.
    private static final Set<String> UNRESOLVABLE_TLDS =
            Set.of("alt", "arpa", "example", "internal", "invalid", "local", "localhost", "onion");

    // After the patterns above: static fields initialize in order, and this constructor call needs them.
    /** What atproto shows for an account whose handle does not verify both ways. */
    public static final Handle INVALID = new Handle("handle.invalid");

    public Handle {
        if (value == null || value.length() > MAX_LENGTH || !SYNTAX.matcher(value).matches()) {
            throw new IdentityException("not a valid handle: " + quote(value));
        }
        value = value.toLowerCase(Locale.ROOT);
    }

    /**
     * Parses what a user typed: a leading {@code @} or {@code at://} is dropped.
     *
     * @throws IdentityException if it is not a valid handle
     */
    public static Handle parse(String input) {
        String s = input == null ? null : input.strip();
        if (s != null && s.startsWith("@")) {
            s = s.substring(1);
        } else if (s != null && s.startsWith("at://")) {
            s = s.substring("at://".length());
        }
        return new Handle(s);
    }

    /** Whether {@code input} is a syntactically valid handle. */
    public static boolean isValid(String input) {
        return input != null && input.length() <= MAX_LENGTH && SYNTAX.matcher(input).matches();
    }

    /** The last label, e.g. {@code com}. */
    public String tld() {
        return value.substring(value.lastIndexOf('.') + 1);
    }

    /** Whether it is under the {@code .test} TLD, which only development setups resolve. */
    public boolean isTest() {
        return tld().equals("test");
    }

    /** Why this handle must never be resolved, or empty when it may be ({@code .test} is decided by the caller). */
    public Optional<String> unresolvableReason() {
        if (UNRESOLVABLE_TLDS.contains(tld())) {
            return Optional.of("the ." + tld() + " top-level domain is reserved and never resolved");
        }
        return Optional.empty();
    }

    @Override
    public String toString() {
        return value;
    }

    static String quote(String s) {
        if (s == null) {
            return "null";
        }
        String shown = s.length() > 80 ? s.substring(0, 80) + "…" : s;
        return '"' + shown.replaceAll("\\p{Cntrl}", "?") + '"';
    }
}
