package dev.atpin.oauth;

import java.io.Serial;

/**
 * A login or an OAuth call could not be completed. The message is written for the person logging in: it says
 * what went wrong in words they can act on, and never contains a token, a code or a key.
 */
public class OAuthException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public OAuthException(String message) {
        super(message);
    }

    public OAuthException(String message, Throwable cause) {
        super(message, cause);
    }
}
