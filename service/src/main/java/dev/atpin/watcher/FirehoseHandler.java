package dev.atpin.watcher;

import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import dev.atpin.ipld.CommitVerification;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.RepoCommit;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.jboss.logging.Logger;

/**
 * What the watcher does with each firehose frame. Frames of repos nobody enrolled are dropped
 * after reading only the header and the repo's DID; the rest are verified before they change anything.
 */
@ApplicationScoped
public class FirehoseHandler {

    private static final Logger LOG = Logger.getLogger(FirehoseHandler.class);

    private final WatchedRepos repos;
    private final CommitApplier applier;
    private final RecordPins records;
    private final IdentityResolver identity;
    private final PoisonEvents poison;
    private volatile Map<String, WatchedRepo> watched = Map.of();
    private final Map<String, Long> skipped = new ConcurrentHashMap<>();

    FirehoseHandler(WatchedRepos repos, CommitApplier applier, RecordPins records, IdentityResolver identity,
            PoisonEvents poison) {
        this.repos = repos;
        this.applier = applier;
        this.records = records;
        this.identity = identity;
        this.poison = poison;
    }

    /** The set of watched DIDs, refreshed often: enrollment starts with a backfill, so a late refresh loses nothing. */
    @Scheduled(every = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refreshWatched() {
        try {
            watched = repos.all();
        } catch (SQLException e) {
            LOG.warn("could not refresh the watched repos", e);
        }
    }

    public void refreshNow() {
        refreshWatched();
    }

    Map<String, WatchedRepo> watched() {
        return watched;
    }

    /**
     * The stream starts at "now" (no saved cursor): events between each repo's last sync and now
     * are not in it, so every repo followed through this upstream is resynced once.
     */
    void startedWithoutCursor(String upstream) throws SQLException {
        int scheduled = repos.desynchronizeUpstream(upstream, "the firehose was followed from now on, without a cursor");
        if (scheduled > 0) {
            LOG.infof("firehose %s started without a cursor: %d repo(s) resynced", upstream, scheduled);
        }
    }

    /**
     * Handles one frame. An event of a watched repo that fails to apply is quarantined (see {@link PoisonEvents})
     * and this returns normally, so the stream goes on; only a failure of the database itself is thrown, and the
     * caller replays the frame later.
     */
    void handle(String upstream, FirehoseFrame frame, byte[] message) throws SQLException {
        // Only #info frames are decoded before the repo filter: the rest of the network's frames stay undecoded.
        if ("#info".equals(frame.header().type()) && infoNamed(frame, "OutdatedCursor")) {
            // The upstream no longer has the events after our cursor: only resyncs can fill the gap.
            startedWithoutCursor(upstream);
            return;
        }
        String did = frame.did();
        if (did == null || !watched.containsKey(did)) {
            skipped.merge(upstream, 1L, Long::sum);
            return;
        }
        try {
            switch (frame.event()) {
                case FirehoseEvent.Commit commit -> applier.apply(commit, message);
                case FirehoseEvent.Sync sync -> onSync(sync);
                case FirehoseEvent.Identity id -> onIdentity(id);
                case FirehoseEvent.Account account -> onAccount(account);
                default -> { }
            }
        } catch (Exception e) {
            if (!PoisonEvents.isPoison(e)) {
                throw e instanceof SQLException sql ? sql : new SQLException("database failure", e);
            }
            quarantine(upstream, frame, message, e);
        }
    }

    private static boolean infoNamed(FirehoseFrame frame, String name) {
        try {
            return frame.event() instanceof FirehoseEvent.Info info && name.equals(info.name());
        } catch (RuntimeException e) {
            return false; // a malformed #info concerns no repo: nothing to apply, nothing to quarantine
        }
    }

    /** Sets a frame of a watched repo aside (also for the consumer, when the same frame keeps failing). */
    void quarantine(String upstream, FirehoseFrame frame, byte[] message, Throwable failure) throws SQLException {
        String did = frame.did();
        if (did == null || frame.seq().isEmpty()) {
            LOG.infof("firehose %s: an event without repo or seq failed and is skipped: %s", upstream,
                    failure.getMessage());
            return;
        }
        poison.quarantine(did, upstream, frame.seq().getAsLong(), message, failure);
    }

    /** {@code #sync}: the repo's state was reset; resync when its data root is not ours. */
    private void onSync(FirehoseEvent.Sync sync) throws SQLException {
        CommitVerification.Result verified = CommitVerification.verify(sync);
        WatchedRepo repo = repos.find(sync.did()).orElse(null);
        if (repo == null || repo.state() != RepoState.ACTIVE) {
            return;
        }
        RepoCommit commit = verified.commit();
        if (commit == null || !commit.data().toString().equals(repo.dataCid())) {
            repos.desynchronize(sync.did(), "#sync announced data root "
                    + (commit == null ? "?" : commit.data()) + ", ours is " + repo.dataCid());
        }
    }

    /** {@code #identity}: the DID document changed (handle, key, or a move to another PDS). */
    private void onIdentity(FirehoseEvent.Identity event) throws SQLException {
        try {
            ResolvedIdentity who = identity.refresh(new Did(event.did()));
            if (who.pds() != null) {
                repos.setPds(event.did(), who.pds().toString());
            }
        } catch (IdentityException e) {
            LOG.infof("#identity of %s: cannot resolve: %s", event.did(), e.getMessage());
        }
    }

    /** {@code #account}: deactivated or taken down freezes the repo's pins; deleted releases them after a grace. */
    private void onAccount(FirehoseEvent.Account event) throws SQLException {
        WatchedRepo repo = repos.find(event.did()).orElse(null);
        if (repo == null) {
            return;
        }
        if (event.active()) {
            if (repo.state() == RepoState.FROZEN || repo.state() == RepoState.DELETED) {
                repos.enroll(event.did(), repo.pdsUrl()); // resumes with a resync: changes may have happened
            }
        } else if ("deleted".equals(event.status())) {
            repos.markDeleted(event.did());
        } else {
            repos.setState(event.did(), RepoState.FROZEN, "account " + event.status());
        }
    }

    /** Frames skipped by upstream (not an enrolled repo). */
    Map<String, Long> skipped() {
        return skipped;
    }
}
