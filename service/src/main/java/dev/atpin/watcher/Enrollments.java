package dev.atpin.watcher;

import dev.atpin.accounts.Accounts;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Instant;
import java.util.Optional;

/**
 * Starts and stops watching a user's repo. The user's consent is the enrollment record in their
 * own repo (written by the dashboard through their OAuth session); the backfill checks it is there.
 *
 * <p>Enrollment is bounded: an account may (re-)enroll {@link WatcherConfig#enrollmentsPerWindow()} times per
 * {@link WatcherConfig#enrollmentWindow()} (each enrollment downloads the whole repo), and the watcher follows
 * at most {@link WatcherConfig#maxRepos()} repos through at most {@link WatcherConfig#maxUpstreams()} hosts.
 */
@ApplicationScoped
public class Enrollments {

    private final Accounts accounts;
    private final WatchedRepos repos;
    private final RecordPins records;
    private final IdentityResolver identity;
    private final FirehoseHandler handler;
    private final WatcherConfig config;

    Enrollments(Accounts accounts, WatchedRepos repos, RecordPins records, IdentityResolver identity,
            FirehoseHandler handler, WatcherConfig config) {
        this.accounts = accounts;
        this.repos = repos;
        this.records = records;
        this.identity = identity;
        this.handler = handler;
        this.config = config;
    }

    /**
     * Watches {@code did}'s repo: a backfill from its PDS runs at once, then live events follow.
     *
     * @throws EnrollmentRefused when the DID does not resolve (422), the account enrolled too often (429) or the
     *     watcher is full (503)
     */
    public void enroll(String did) throws SQLException {
        ResolvedIdentity who;
        try {
            who = identity.refresh(new Did(did));
        } catch (IdentityException | IllegalArgumentException e) {
            throw EnrollmentRefused.unresolvable(did, e.getMessage());
        }
        String pds = who.pds() == null ? null : who.pds().toString();
        accounts.ensureExists(did);
        try {
            QuarkusTransaction.joiningExisting().call(() -> {
                repos.lockEnrollments(); // enrollments are rare: one at a time across replicas keeps the totals exact
                refuseBeyondBounds(did, pds);
                repos.enroll(did, pds);
                Optional<Instant> over = repos.countEnrollment(did, config.enrollmentsPerWindow(),
                        config.enrollmentWindow());
                if (over.isPresent()) { // thrown inside: the count and the enrollment roll back
                    throw EnrollmentRefused.tooOften(config.enrollmentsPerWindow(),
                            config.enrollmentWindow().toSeconds(), over.get());
                }
                return null;
            });
        } catch (QuarkusTransactionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
        handler.refreshNow();
    }

    /** Refuses a repo beyond the totals (a new host beyond the upstream bound, a repo beyond the repo bound). */
    void refuseBeyondBounds(String did, String pds) throws SQLException {
        boolean watched = repos.isWatched(did);
        if (!watched || pds == null || !repos.upstreamFollowed(pds)) {
            WatchedRepos.Totals totals = repos.totals();
            if (!watched && totals.repos() >= config.maxRepos()) {
                throw EnrollmentRefused.full(config.maxRepos() + " repos");
            }
            if (config.relay().isEmpty() && pds != null && !repos.upstreamFollowed(pds)
                    && totals.upstreams() >= config.maxUpstreams()) {
                throw EnrollmentRefused.full(config.maxUpstreams() + " PDS hosts");
            }
        }
    }

    /** Stops watching: the record pins are released (the records stay in the user's repo). */
    @Transactional(rollbackOn = Exception.class)
    public void unenroll(String did) throws SQLException {
        if (repos.lock(did).isPresent()) {
            records.removeAll(did);
            repos.setState(did, RepoState.UNENROLLED, "unenrolled by the user");
        }
    }
}
