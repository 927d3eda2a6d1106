package dev.atpin.identity;

import java.io.Serial;

/**
 * An identity could not be resolved or verified: a malformed handle or DID, no DID for a handle, a DID
 * document that is missing, malformed or inconsistent, or a fetch that was refused or failed (then the cause
 * is a {@link dev.atpin.identity.net.FetchException}). The message says which identifier and why, and is
 * safe to show to the user who typed it.
 */
public class IdentityException extends RuntimeException {

    @Serial
    private static final long serialVersionUID = 1L;

    public IdentityException(String message) {
        super(message);
    }

    public IdentityException(String message, Throwable cause) {
        super(message, cause);
    }
}
