package dev.atpin.dashboard.repo;

import dev.atpin.oauth.OAuthSession;
import dev.atpin.oauth.XrpcClient;
import dev.atpin.watcher.Enrollments;
import dev.atpin.watcher.WatchedRepo;
import dev.atpin.watcher.WatchedRepos;
import dev.atpin.watcher.WatcherConfig;
import dev.atpin.xrpc.ServiceConfig;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jboss.logging.Logger;

/**
 * Enrollment from the dashboard: the consent record is written into (or deleted from) the user's
 * own repo through their OAuth session, and the watcher starts (or stops) following the repo.
 */
@ApplicationScoped
public class RepoEnrollment {

    private static final Logger LOG = Logger.getLogger(RepoEnrollment.class);

    private final XrpcClient xrpc;
    private final Enrollments enrollments;
    private final WatchedRepos repos;
    private final WatcherConfig watcher;
    private final ServiceConfig service;

    RepoEnrollment(XrpcClient xrpc, Enrollments enrollments, WatchedRepos repos, WatcherConfig watcher,
            ServiceConfig service) {
        this.xrpc = xrpc;
        this.enrollments = enrollments;
        this.repos = repos;
        this.watcher = watcher;
        this.service = service;
    }

    public void enroll(OAuthSession session) throws SQLException {
        Map<String, Object> record = new LinkedHashMap<>();
        record.put("$type", watcher.enrollmentCollection());
        record.put("service", service.did());
        record.put("createdAt", Instant.now().toString());
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("repo", session.did());
        input.put("collection", watcher.enrollmentCollection());
        input.put("rkey", "self");
        input.put("record", record);
        // putRecord: enrolling twice is harmless
        xrpc.procedure(session, "com.atproto.repo.putRecord", input);
        enrollments.enroll(session.did());
    }

    public void unenroll(OAuthSession session) throws SQLException {
        xrpc.deleteRecord(session, watcher.enrollmentCollection(), "self");
        enrollments.unenroll(session.did());
    }

    /** @return false when a backfill or resync is already due or running (one at a time per repo) */
    public boolean resyncNow(OAuthSession session) throws SQLException {
        return repos.requestResync(session.did());
    }

    /** The watcher's view of the repo; "unavailable" rather than a failed page when the database does not answer. */
    public RepoView view(String did) {
        try {
            return status(did);
        } catch (SQLException e) {
            LOG.warn("could not read the watcher state", e);
            return RepoView.UNAVAILABLE;
        }
    }

    public RepoView status(String did) throws SQLException {
        WatchedRepo repo = repos.find(did).orElse(null);
        if (repo == null) {
            return RepoView.NOT_ENROLLED;
        }
        return new RepoView(repo.state().db(), repo.pdsUrl(), repo.rev(), repo.lagSeconds(), repo.lastError(),
                repos.problems(did));
    }
}
