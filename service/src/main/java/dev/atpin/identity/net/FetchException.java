package dev.atpin.identity.net;

import java.io.Serial;

/**
 * A URL could not be fetched: refused by policy, unreachable, too slow or too large. The message names the URL
 * and the reason, and is safe to show to the user who supplied the URL.
 */
public class FetchException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public FetchException(String message) {
        super(message);
    }

    public FetchException(String message, Throwable cause) {
        super(message, cause);
    }
}
