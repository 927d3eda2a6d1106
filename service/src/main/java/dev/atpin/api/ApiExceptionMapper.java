package dev.atpin.api;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import dev.atpin.db.DatabaseUnavailableException;
import jakarta.ws.rs.NotAllowedException;
import jakarta.ws.rs.NotFoundException;
import jakarta.ws.rs.NotSupportedException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * The one place that turns failures into HTTP responses, always in the {@link Failure} shape.
 * Nothing a client sends may surface as a stack trace: unknown errors become a bare 500.
 */
public class ApiExceptionMapper {

    private static final Logger LOG = Logger.getLogger(ApiExceptionMapper.class);

    @ServerExceptionMapper
    public Response api(ApiException e) {
        return failure(e);
    }

    /** The status code of each kind of refusal: the one table of it in the service. */
    public static int statusOf(ApiException.Kind kind) {
        return switch (kind) {
            case INVALID -> 400;
            case UNAUTHENTICATED -> 401;
            case FORBIDDEN -> 403;
            case NOT_FOUND -> 404;
            case CONFLICT -> 409;
            case STALE -> 412;
            case TOO_LARGE -> 413;
            case UNUSABLE -> 422;
            case TOO_OFTEN -> 429;
            case UNAVAILABLE -> 503;
        };
    }

    public static Response failure(ApiException e) {
        return failure(statusOf(e.kind()), e.reason(), e.details());
    }

    /** An outage is not the client's fault and not a bug: 503, and when to try again. */
    @ServerExceptionMapper
    public Response databaseUnavailable(DatabaseUnavailableException e) {
        LOG.warnf("answering 503: %s", e.getCause() == null ? "database unavailable" : e.getCause().toString());
        return Response.fromResponse(failure(503, "DATABASE_UNAVAILABLE",
                        "the service cannot reach its database right now; nothing was changed, try again shortly"))
                .header("Retry-After", DatabaseUnavailableException.RETRY_AFTER_SECONDS).build();
    }

    @ServerExceptionMapper
    public Response malformedJson(JsonProcessingException e) {
        return failure(400, "BAD_REQUEST_BODY", "the request body is not valid JSON for this operation: "
                + e.getOriginalMessage());
    }

    /** More specific than Quarkus' built-in mapper, which answers a bare 400 for a body of the wrong shape. */
    @ServerExceptionMapper
    public Response wrongShape(MismatchedInputException e) {
        return failure(400, "BAD_REQUEST_BODY", "the request body does not have the expected shape: "
                + e.getOriginalMessage());
    }

    @ServerExceptionMapper
    public Response notFound(NotFoundException e) {
        return failure(404, "NOT_FOUND", "no such resource");
    }

    @ServerExceptionMapper
    public Response notAllowed(NotAllowedException e) {
        return failure(405, "METHOD_NOT_ALLOWED", "this method is not allowed on this resource");
    }

    @ServerExceptionMapper
    public Response unsupportedMediaType(NotSupportedException e) {
        return failure(415, "UNSUPPORTED_MEDIA_TYPE", "send the body as application/json");
    }

    @ServerExceptionMapper
    public Response web(WebApplicationException e) {
        int status = e.getResponse().getStatus();
        var outage = DatabaseUnavailableException.causedBy(e);
        if (outage.isPresent()) {
            return databaseUnavailable(outage.get());
        }
        if (status >= 500) {
            LOG.error("request failed", e);
            return failure(status, "INTERNAL_ERROR", "the service could not complete the request");
        }
        Throwable cause = e.getCause();
        if (cause instanceof JsonProcessingException json) {
            return malformedJson(json);
        }
        return failure(status, Response.Status.fromStatusCode(status) == null
                ? "BAD_REQUEST" : Response.Status.fromStatusCode(status).name(), "the request was refused");
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        // JPA, JTA and JDBC wrap a lost connection in their own exceptions: find it under them.
        var outage = DatabaseUnavailableException.causedBy(e);
        if (outage.isPresent()) {
            return databaseUnavailable(outage.get());
        }
        LOG.error("unexpected error", e);
        return failure(500, "INTERNAL_ERROR", "the service could not complete the request");
    }

    public static Response failure(int status, String reason, String details) {
        return Response.status(status).type(MediaType.APPLICATION_JSON_TYPE)
                .entity(Failure.of(reason, details)).build();
    }
}
