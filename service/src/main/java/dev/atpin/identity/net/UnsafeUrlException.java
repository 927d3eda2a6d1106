package dev.atpin.identity.net;

import java.io.Serial;

/**
 * A URL (or a redirect target) was refused before any request was sent to it: wrong scheme or port, credentials
 * in the URL, or a host that resolves to an address we must never reach from user input (loopback, private,
 * link-local, …).
 */
public class UnsafeUrlException extends FetchException {

    @Serial
    private static final long serialVersionUID = 1L;

    public UnsafeUrlException(String message) {
        super(message);
    }
}
