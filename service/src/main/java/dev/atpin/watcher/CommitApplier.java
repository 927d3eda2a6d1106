package dev.atpin.watcher;

import dev.atpin.identity.AtprotoKey;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.ipld.Car;
import dev.atpin.ipld.CommitVerification;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.RepoCommit;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Applies one live {@code #commit} of an enrolled repo, only after it has passed every check:
 * the CAR's block hashes, the commit signature against the DID's current key, the MST proof of
 * each op, {@code rev} strictly greater than ours and {@code prevData} continuing from our data
 * root. A commit that fails any of them changes nothing: the repo is marked desynchronized (a
 * resync of the real repo follows) and the failure is reported.
 */
@ApplicationScoped
public class CommitApplier {

    private static final Logger LOG = Logger.getLogger(CommitApplier.class);

    /** What became of a commit. */
    public enum Outcome { APPLIED, REPLAYED, BUFFERED, IGNORED, REJECTED }

    private final WatchedRepos repos;
    private final RecordPins records;
    private final IdentityResolver identity;
    private final MeterRegistry metrics;

    CommitApplier(WatchedRepos repos, RecordPins records, IdentityResolver identity, MeterRegistry metrics) {
        this.repos = repos;
        this.records = records;
        this.identity = identity;
        this.metrics = metrics;
    }

    @Transactional(rollbackOn = Exception.class)
    public Outcome apply(FirehoseEvent.Commit event, byte[] frame) throws SQLException {
        Optional<WatchedRepo> locked = repos.lock(event.repo());
        if (locked.isEmpty()) {
            return Outcome.IGNORED;
        }
        WatchedRepo repo = locked.get();
        if (repo.state().buffersEvents()) {
            repos.buffer(repo.did(), event.seq(), frame);
            return Outcome.BUFFERED;
        }
        if (repo.state() != RepoState.ACTIVE) {
            return Outcome.IGNORED; // frozen, deleted or unenrolled: nothing changes
        }
        return applyVerified(repo, event);
    }

    /** Applies a commit to a repo whose row the caller has locked (live, or replayed after a resync). */
    Outcome applyVerified(WatchedRepo repo, FirehoseEvent.Commit event) throws SQLException {
        if (repo.rev() != null && event.rev().compareTo(repo.rev()) <= 0) {
            // Not newer than what we have: a replay after a restart (harmless) or a forged old
            // commit. Either way nothing changes; it is counted.
            metrics.counter("atpin.watcher.commits.stale").increment();
            return Outcome.REPLAYED;
        }
        CommitVerification.Result verified;
        try {
            verified = CommitVerification.verify(event);
        } catch (IpldException e) {
            reject(repo.did(), event, "malformed commit: " + e.getMessage());
            return Outcome.REJECTED;
        }
        Optional<String> problem = check(repo, event, verified);
        if (problem.isPresent()) {
            reject(repo.did(), event, problem.get());
            return Outcome.REJECTED;
        }
        Car car = verified.blocks();
        for (FirehoseEvent.RepoOp op : event.ops()) {
            if (records.isPinRecord(op.path())) {
                if ("delete".equals(op.action())) {
                    records.remove(repo.did(), op.path());
                } else {
                    records.put(repo.did(), op.path(), car.get(op.cid()));
                }
            } else if (op.path().equals(records.enrollmentPath())) {
                if ("delete".equals(op.action()) || !records.isEnrollment(DagCbor.decode(car.get(op.cid())))) {
                    records.removeAll(repo.did());
                    repos.setState(repo.did(), RepoState.UNENROLLED, "the enrollment record was removed");
                    repos.advance(repo.did(), event.rev(), verified.commit().data().toString(), time(event.time()));
                    return Outcome.APPLIED;
                }
            }
        }
        repos.advance(repo.did(), event.rev(), verified.commit().data().toString(), time(event.time()));
        return Outcome.APPLIED;
    }

    /** Every check a commit must pass before it may change anything; empty when it passes. */
    private Optional<String> check(WatchedRepo repo, FirehoseEvent.Commit event, CommitVerification.Result verified) {
        if (event.tooBig()) {
            return Optional.of("commit marked tooBig: its blocks are not in the event");
        }
        if (!verified.valid()) {
            return Optional.of("commit " + event.rev() + " failed verification: " + verified.detail());
        }
        if (!signedByRepoKey(repo.did(), verified.commit())) {
            return Optional.of("commit " + event.rev() + " is not signed by the account's current key");
        }
        if (repo.dataCid() != null) {
            if (event.prevData() == null) {
                if (event.since() == null || !event.since().equals(repo.rev())) {
                    return Optional.of("gap: the commit follows " + event.since() + ", we are at " + repo.rev());
                }
            } else if (!event.prevData().toString().equals(repo.dataCid())) {
                return Optional.of("gap: the commit's prevData " + event.prevData() + " is not our data root "
                        + repo.dataCid());
            }
        }
        return Optional.empty();
    }

    /** Checks with the cached key first, then once more with a freshly resolved DID document (key rotation). */
    boolean signedByRepoKey(String did, RepoCommit commit) {
        try {
            AtprotoKey key = identity.resolve(new Did(did)).signingKey();
            if (key != null && key.verify(commit.unsignedBytes(), commit.sig(), true)) {
                return true;
            }
            AtprotoKey fresh = identity.refresh(new Did(did)).signingKey();
            return fresh != null && fresh.verify(commit.unsignedBytes(), commit.sig(), true);
        } catch (IdentityException e) {
            LOG.infof("cannot resolve the signing key of %s: %s", did, e.getMessage());
            return false;
        }
    }

    private void reject(String did, FirehoseEvent.Commit event, String why) throws SQLException {
        metrics.counter("atpin.watcher.commits.rejected").increment();
        LOG.warnf("rejected commit seq %d of %s: %s", event.seq(), did, why);
        repos.desynchronize(did, why);
    }

    static OffsetDateTime time(String text) {
        if (text == null) {
            return null;
        }
        try {
            return OffsetDateTime.parse(text);
        } catch (DateTimeParseException e) {
            return null;
        }
    }
}
