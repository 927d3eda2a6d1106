package dev.atpin.dispatch.backend;

/** A backend call failed: the target is unreachable, refused the operation, or stopped making progress. */
public class PinBackendException extends Exception {

    public PinBackendException(String message) {
        super(message);
    }

    public PinBackendException(String message, Throwable cause) {
        super(message, cause);
    }
}
