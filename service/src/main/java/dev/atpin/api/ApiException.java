package dev.atpin.api;

/**
 * A refusal with a reason a client can act on: what kind of refusal it is, and the spec's
 * {@code Failure} fields. It knows nothing of HTTP; {@link ApiExceptionMapper} is the one place that
 * turns a {@link Kind} into a status code (ADR 0002).
 */
public class ApiException extends RuntimeException {

    /** What went wrong, in the domain's words. The mapper owns the status code of each. */
    public enum Kind {
        /** The request is malformed or a value is out of range. */
        INVALID,
        /** No credentials, or credentials we do not accept. */
        UNAUTHENTICATED,
        /** Known caller, not allowed to do this. */
        FORBIDDEN,
        /** Nothing of this name that the caller may see. */
        NOT_FOUND,
        /** The current state forbids it (a limit reached, a record owns the pin). */
        CONFLICT,
        /** The caller's view of the thing is out of date (a version mismatch). */
        STALE,
        /** The body is larger than we take. */
        TOO_LARGE,
        /** Well-formed, but refers to something that cannot be used (an unresolvable DID). */
        UNUSABLE,
        /** Too many attempts in a window; may succeed later. */
        TOO_OFTEN,
        /** We cannot take it now (at capacity, a dependency is down); may succeed later. */
        UNAVAILABLE
    }

    private final Kind kind;
    private final String reason;

    public ApiException(Kind kind, String reason, String details) {
        super(details, null, false, false);
        this.kind = kind;
        this.reason = reason;
    }

    public static ApiException badRequest(String reason, String details) {
        return new ApiException(Kind.INVALID, reason, details);
    }

    public static ApiException notFound(String details) {
        return new ApiException(Kind.NOT_FOUND, "NOT_FOUND", details);
    }

    public static ApiException unauthorized(String details) {
        return new ApiException(Kind.UNAUTHENTICATED, "UNAUTHORIZED", details);
    }

    public static ApiException forbidden(String reason, String details) {
        return new ApiException(Kind.FORBIDDEN, reason, details);
    }

    public static ApiException conflict(String reason, String details) {
        return new ApiException(Kind.CONFLICT, reason, details);
    }

    public Kind kind() {
        return kind;
    }

    public String reason() {
        return reason;
    }

    public String details() {
        return getMessage();
    }
}
