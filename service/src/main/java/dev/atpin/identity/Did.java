package dev.atpin.identity;

import java.util.regex.Pattern;

/**
 * A DID, validated against the generic syntax atproto accepts (atproto.com/specs/did): {@code did:}, a lowercase
 * method, and an identifier of letters, digits and {@code . _ : % -} that does not end in {@code :} or {@code %};
 * at most 2048 characters. Which methods can be resolved is up to {@link DidResolver} (plc and web).
 *
 * @param value the DID, e.g. {@code did:plc:ewvi7nxzyoun6zhxrhs64oiz}
 */
public record Did(String value) {

    private static final int MAX_LENGTH = 2048;
    private static final Pattern SYNTAX = Pattern.compile("^did:[a-z]+:[a-zA-Z0-9._:%-]*[a-zA-Z0-9._-]$");
    private static final Pattern PLC = Pattern.compile("^did:plc:[a-z2-7]{24}$");

    public Did {
        if (!isValid(value)) {
            throw new IdentityException("not a valid DID: " + Handle.quote(value));
        }
    }

    /** Whether {@code input} is a syntactically valid DID. */
    public static boolean isValid(String input) {
        return input != null && input.length() <= MAX_LENGTH && SYNTAX.matcher(input).matches();
    }

    /** The method, e.g. {@code plc}. */
    public String method() {
        return value.substring(4, value.indexOf(':', 4));
    }

    /** The method-specific identifier, e.g. the host part of a did:web. */
    public String identifier() {
        return value.substring(value.indexOf(':', 4) + 1);
    }

    /** A did:plc in its only valid form: 24 characters of lowercase base32. */
    public boolean isWellFormedPlc() {
        return PLC.matcher(value).matches();
    }

    @Override
    public String toString() {
        return value;
    }
}
