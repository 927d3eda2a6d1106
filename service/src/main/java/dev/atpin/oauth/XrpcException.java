package dev.atpin.oauth;

import java.io.Serial;

/** An XRPC call reached the PDS and was refused: the status and the XRPC {@code error} name it gave. */
public class XrpcException extends OAuthException {

    @Serial
    private static final long serialVersionUID = 1L;

    private final int status;
    private final String error;

    public XrpcException(String method, int status, String error, String message) {
        super(method + " answered " + status + (error.isEmpty() ? "" : " " + error)
                + (message.isEmpty() ? "" : ": " + message));
        this.status = status;
        this.error = error;
    }

    public int status() {
        return status;
    }

    /** The XRPC error name, e.g. {@code InvalidRequest} or {@code RecordNotFound}; empty if none. */
    public String error() {
        return error;
    }
}
