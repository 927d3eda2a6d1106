package dev.atpin.identity.net;

import java.io.Serial;

/** The response body was larger than the caller's limit; reading stopped at the limit. */
public class ResponseTooLargeException extends FetchException {

    @Serial
    private static final long serialVersionUID = 1L;

    public ResponseTooLargeException(String message) {
        super(message);
    }
}
