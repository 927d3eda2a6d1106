package dev.atpin.dashboard.repo;

import dev.atpin.api.ApiExceptionMapper;
import dev.atpin.dashboard.DashboardHttp;
import dev.atpin.identity.IdentityException;
import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.SessionExpiredException;
import dev.atpin.oauth.XrpcException;
import dev.atpin.watcher.EnrollmentRefused;
import dev.atpin.watcher.WatcherConfig;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.QueryParam;
import jakarta.ws.rs.core.Context;
import jakarta.ws.rs.core.HttpHeaders;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.sql.SQLException;
import java.util.Map;
import org.jboss.logging.Logger;
import org.jboss.resteasy.reactive.RestForm;
import org.jboss.resteasy.reactive.server.ServerExceptionMapper;

/**
 * Repo sync: enroll and unenroll (the consent record written or deleted through the user's OAuth session),
 * the watcher's state, last rev, lag, last error and invalid records, and "resync now".
 */
@Path("/account/repo")
@Produces(MediaType.TEXT_HTML)
public class RepoResource {

    private static final Logger LOG = Logger.getLogger(RepoResource.class);
    /** Notes after a redirect are chosen by key: nothing a URL carries is shown as text. */
    private static final Map<String, String> NOTES = Map.of(
            "enrolled", "Enrolled: the consent record is in your repo and the first read of your repo has started.",
            "unenrolled", "Unenrolled: the consent record is deleted and your record pins are released.",
            "resync", "A full resync of your repo is scheduled; it starts within seconds.");

    private final DashboardHttp http;
    private final RepoEnrollment enrollment;
    private final String pinCollection;

    RepoResource(DashboardHttp http, RepoEnrollment enrollment, WatcherConfig watcher) {
        this.http = http;
        this.enrollment = enrollment;
        this.pinCollection = watcher.pinCollection();
    }

    @GET
    public Response page(@Context HttpHeaders headers, @QueryParam("note") String note) {
        return http.withSession(headers, session -> page(200, session, NOTES.get(String.valueOf(note)), null));
    }

    /** Writes the consent record into the user's repo through their OAuth session, then starts watching it. */
    @POST
    @Path("enroll")
    public Response enroll(@Context HttpHeaders headers, @RestForm String csrf) {
        return change(headers, csrf, enrollment::enroll, "enrolled",
                "We could not write the enrollment record to your repo: ");
    }

    @POST
    @Path("unenroll")
    public Response unenroll(@Context HttpHeaders headers, @RestForm String csrf) {
        return change(headers, csrf, enrollment::unenroll, "unenrolled", "We could not remove the enrollment record: ");
    }

    @POST
    @Path("resync")
    public Response resync(@Context HttpHeaders headers, @RestForm String csrf) {
        return http.withForm(headers, csrf, session -> {
            try {
                if (!enrollment.view(session.did()).enrolled()) {
                    return page(409, session, null, "Your repo is not enrolled: enroll it first, then it is read "
                            + "in full by itself.");
                }
                if (!enrollment.resyncNow(session)) {
                    return page(409, session, null, "A full read of your repo is already scheduled or running; "
                            + "there is nothing to add until it has finished.");
                }
                LOG.infof("%s asked for a resync", session.did());
                return DashboardHttp.seeOther("/account/repo?note=resync");
            } catch (SQLException e) {
                LOG.warn("could not schedule a resync", e);
                return page(503, session, null, "We could not schedule the resync. Please try again.");
            }
        });
    }

    @ServerExceptionMapper
    public Response unexpected(Throwable e) {
        return DashboardHttp.unexpected(e);
    }

    @FunctionalInterface
    private interface RepoChange {
        void apply(OAuthSession session) throws SQLException;
    }

    private Response change(HttpHeaders headers, String csrf, RepoChange change, String note, String failure) {
        return http.withForm(headers, csrf, session -> {
            try {
                change.apply(session);
                return DashboardHttp.seeOther("/account/repo?note=" + note);
            } catch (EnrollmentRefused e) {
                return page(ApiExceptionMapper.statusOf(e.kind()), session, null, e.details());
            } catch (XrpcException | SessionExpiredException | SQLException | IdentityException e) {
                LOG.infof("repo enrollment change for %s failed: %s", session.did(), e.getMessage());
                return page(502, session, null, failure + e.getMessage());
            }
        });
    }

    private Response page(int status, OAuthSession session, String note, String error) {
        return DashboardHttp.page(status, RepoPages.repo(DashboardHttp.me(session), enrollment.view(session.did()), note, error,
                pinCollection));
    }
}
