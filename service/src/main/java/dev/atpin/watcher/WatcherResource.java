package dev.atpin.watcher;

import dev.atpin.api.ApiException;
import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.auth.ApiTokenAuth;
import dev.atpin.auth.CurrentCaller;
import dev.atpin.auth.Scope;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.LinkedHashMap;
import java.util.Map;

/** Enrollment and status of the caller's watched repo. */
@Path("/api/v1/watcher")
@ApiTokenAuth
@Produces(MediaType.APPLICATION_JSON)
public class WatcherResource {

    private final CurrentCaller caller;
    private final Enrollments enrollments;
    private final WatchedRepos repos;

    WatcherResource(CurrentCaller caller, Enrollments enrollments, WatchedRepos repos) {
        this.caller = caller;
        this.enrollments = enrollments;
        this.repos = repos;
    }

    @POST
    @Path("enrollment")
    public Response enroll() throws SQLException {
        String did = caller.require(Scope.WRITE).did();
        try {
            enrollments.enroll(did);
        } catch (EnrollmentRefused e) {
            Response.ResponseBuilder refused = Response.fromResponse(
                    ApiExceptionMapper.failure(e));
            e.retryAt().ifPresent(at -> refused.header("Retry-After",
                    Math.max(1, at.getEpochSecond() - java.time.Instant.now().getEpochSecond())));
            return refused.build();
        }
        return Response.accepted(status(did)).build();
    }

    @DELETE
    @Path("enrollment")
    public Response unenroll() throws SQLException {
        String did = caller.require(Scope.WRITE).did();
        enrollments.unenroll(did);
        return Response.accepted().build();
    }

    @GET
    @Path("status")
    public Map<String, Object> status() throws SQLException {
        return status(caller.require(Scope.READ).did());
    }

    private Map<String, Object> status(String did) throws SQLException {
        WatchedRepo repo = repos.find(did)
                .orElseThrow(() -> ApiException.notFound("this account's repo is not enrolled"));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("did", did);
        out.put("state", repo.state().db());
        out.put("pds", repo.pdsUrl());
        out.put("rev", repo.rev());
        out.put("lagSeconds", repo.lagSeconds());
        out.put("lastError", repo.lastError());
        out.put("problems", repos.problems(did));
        return out;
    }
}
