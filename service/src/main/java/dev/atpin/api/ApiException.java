package dev.atpin.api;

/**
 * A refusal with a reason a client can act on. It carries the HTTP status and the spec's
 * {@code Failure} fields; {@link ApiExceptionMapper} renders it.
 */
public class ApiException extends RuntimeException {

    private final int status;
    private final String reason;

    public ApiException(int status, String reason, String details) {
        super(details, null, false, false);
        this.status = status;
        this.reason = reason;
    }

    public static ApiException badRequest(String reason, String details) {
        return new ApiException(400, reason, details);
    }

    public static ApiException notFound(String details) {
        return new ApiException(404, "NOT_FOUND", details);
    }

    public static ApiException unauthorized(String details) {
        return new ApiException(401, "UNAUTHORIZED", details);
    }

    public static ApiException forbidden(String reason, String details) {
        return new ApiException(403, reason, details);
    }

    public int status() {
        return status;
    }

    public String reason() {
        return reason;
    }

    public String details() {
        return getMessage();
    }
}
