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
import io.quarkus.narayana.jta.QuarkusTransaction;
import io.quarkus.narayana.jta.QuarkusTransactionException;
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
 * resync of the real repo follows) and the failure is reported. While a repo resyncs its commits are
 * buffered, up to {@link WatcherConfig#maxBufferedEvents()} / {@link WatcherConfig#maxBufferedBytes()}.
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
    private final WatcherConfig config;

    CommitApplier(WatchedRepos repos, RecordPins records, IdentityResolver identity, MeterRegistry metrics,
            WatcherConfig config) {
        this.repos = repos;
        this.records = records;
        this.identity = identity;
        this.metrics = metrics;
        this.config = config;
    }

    /** Says whether a commit is signed by its repo's key. */
    @FunctionalInterface
    interface Signatures {
        boolean signedByRepoKey(String did, RepoCommit commit);
    }

    /**
     * What can be checked about a commit without its repo's row: its blocks, the MST proof of each op and its
     * signature.
     *
     * @param verified the verification result, null when the commit is malformed
     * @param problem  why it must not be applied, or empty
     */
    record Checked(CommitVerification.Result verified, Optional<String> problem) {}

    /**
     * Applies a live commit. Everything that may take time happens before the repo's row is locked: the
     * signing key may have to be fetched from the DID's PLC or web host, and a lookup under the lock would hold
     * the row (and a database connection) for as long as a remote server cares to take.
     */
    public Outcome apply(FirehoseEvent.Commit event, byte[] frame) throws SQLException {
        for (int attempt = 0; ; attempt++) {
            Optional<WatchedRepo> seen = repos.find(event.repo());
            if (seen.isEmpty()) {
                return Outcome.IGNORED;
            }
            Checked checked = seen.get().state() == RepoState.ACTIVE ? check(event, this::signedByRepoKey) : null;
            Outcome outcome = applyLocked(event, frame, checked);
            if (outcome != null) {
                return outcome;
            }
            if (attempt == 2) {
                // it keeps becoming active between our look and our lock: let a resync sort it out
                repos.desynchronize(event.repo(), "commit seq " + event.seq() + " arrived while the repo changed state");
                return Outcome.REJECTED;
            }
        }
    }

    /**
     * Under the repo's row lock: buffers the commit while the repo resyncs, or applies it when it passed
     * {@code checked}. Returns null when the repo became active after it was looked at, so that the commit
     * is checked first (outside the lock) and this is called again.
     */
    private Outcome applyLocked(FirehoseEvent.Commit event, byte[] frame, Checked checked) throws SQLException {
        try {
            return QuarkusTransaction.joiningExisting().call(() -> {
                Optional<WatchedRepo> locked = repos.lock(event.repo());
                if (locked.isEmpty()) {
                    return Outcome.IGNORED;
                }
                WatchedRepo repo = locked.get();
                if (repo.state().buffersEvents()) {
                    return repos.buffer(repo.did(), event.seq(), frame, config.maxBufferedEvents(),
                            config.maxBufferedBytes()) ? Outcome.BUFFERED : Outcome.IGNORED;
                }
                if (repo.state() != RepoState.ACTIVE) {
                    return Outcome.IGNORED; // frozen, deleted or unenrolled: nothing changes
                }
                return checked == null ? null : applyChecked(repo, event, checked);
            });
        } catch (QuarkusTransactionException e) {
            if (e.getCause() instanceof SQLException sql) {
                throw sql;
            }
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    /**
     * Applies a commit replayed from the buffer after a resync, to a repo whose row the caller has locked.
     * The signature is checked with {@code key}, the key the resync just resolved: nothing is fetched here.
     */
    Outcome applyVerified(WatchedRepo repo, FirehoseEvent.Commit event, AtprotoKey key) throws SQLException {
        return applyChecked(repo, event, check(event, (did, commit) -> verifies(key, commit)));
    }

    /** The checks that need no repo state; pure computation except for {@code signatures}. */
    Checked check(FirehoseEvent.Commit event, Signatures signatures) {
        metrics.counter("atpin.watcher.commits.checked").increment();
        if (event.tooBig()) {
            return new Checked(null, Optional.of("commit marked tooBig: its blocks are not in the event"));
        }
        CommitVerification.Result verified;
        try {
            verified = CommitVerification.verify(event);
        } catch (IpldException e) {
            return new Checked(null, Optional.of("malformed commit: " + e.getMessage()));
        }
        if (!verified.valid()) {
            return new Checked(verified, Optional.of("commit " + event.rev() + " failed verification: "
                    + verified.detail()));
        }
        if (!signatures.signedByRepoKey(event.repo(), verified.commit())) {
            return new Checked(verified, Optional.of("commit " + event.rev()
                    + " is not signed by the account's current key"));
        }
        return new Checked(verified, Optional.empty());
    }

    private Outcome applyChecked(WatchedRepo repo, FirehoseEvent.Commit event, Checked checked) throws SQLException {
        if (repo.rev() != null && event.rev().compareTo(repo.rev()) <= 0) {
            // Not newer than what we have: a replay after a restart (harmless) or a forged old
            // commit. Either way nothing changes; it is counted.
            metrics.counter("atpin.watcher.commits.stale").increment();
            return Outcome.REPLAYED;
        }
        Optional<String> problem = checked.problem().or(() -> continuity(repo, event));
        if (problem.isPresent()) {
            reject(repo.did(), event, problem.get());
            return Outcome.REJECTED;
        }
        CommitVerification.Result verified = checked.verified();
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

    /** The commit continues from our data root (no gap). */
    private static Optional<String> continuity(WatchedRepo repo, FirehoseEvent.Commit event) {
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

    /**
     * Checks with the cached key first, then once more with a freshly resolved DID document (key rotation).
     * May fetch the DID document: never call it while holding a repo's row lock.
     */
    boolean signedByRepoKey(String did, RepoCommit commit) {
        try {
            AtprotoKey key = identity.resolve(new Did(did)).signingKey();
            if (verifies(key, commit)) {
                return true;
            }
            return verifies(identity.refresh(new Did(did)).signingKey(), commit);
        } catch (IdentityException e) {
            LOG.infof("cannot resolve the signing key of %s: %s", did, e.getMessage());
            return false;
        }
    }

    private static boolean verifies(AtprotoKey key, RepoCommit commit) {
        return key != null && key.verify(commit.unsignedBytes(), commit.sig(), true);
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
