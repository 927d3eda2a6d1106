package dev.atpin.watcher;

import dev.atpin.accounts.Accounts;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.SQLException;

/**
 * Starts and stops watching a user's repo. The user's consent is the enrollment record in their
 * own repo (written by the dashboard through their OAuth session); the backfill checks it is there.
 */
@ApplicationScoped
public class Enrollments {

    private final Accounts accounts;
    private final WatchedRepos repos;
    private final RecordPins records;
    private final IdentityResolver identity;
    private final FirehoseHandler handler;

    Enrollments(Accounts accounts, WatchedRepos repos, RecordPins records, IdentityResolver identity,
            FirehoseHandler handler) {
        this.accounts = accounts;
        this.repos = repos;
        this.records = records;
        this.identity = identity;
        this.handler = handler;
    }

    /** Watches {@code did}'s repo: a backfill from its PDS runs at once, then live events follow. */
    public void enroll(String did) throws SQLException {
        ResolvedIdentity who = identity.refresh(new Did(did));
        accounts.ensureExists(did);
        repos.enroll(did, who.pds() == null ? null : who.pds().toString());
        handler.refreshNow();
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
