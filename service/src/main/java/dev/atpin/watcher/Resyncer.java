package dev.atpin.watcher;

import dev.atpin.identity.AtprotoKey;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.ipld.Car;
import dev.atpin.ipld.CarReader;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Mst;
import dev.atpin.ipld.RepoCommit;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.SQLException;
import java.time.Duration;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Backfills newly enrolled repos and resyncs desynchronized ones from {@code getRepo}: fetches the
 * whole repo from the user's PDS, verifies it completely, and makes the record pins match it.
 * Only a complete, verified repo can remove a pin; any failure leaves the pins as they are and
 * retries later with backoff. Any replica may take the work.
 */
@ApplicationScoped
public class Resyncer {

    private static final Logger LOG = Logger.getLogger(Resyncer.class);

    private final WatchedRepos repos;
    private final RecordPins records;
    private final CommitApplier applier;
    private final IdentityResolver identity;
    private final SafeHttpClient http;
    private final WatcherConfig config;
    private final MeterRegistry metrics;

    Resyncer(WatchedRepos repos, RecordPins records, CommitApplier applier, IdentityResolver identity,
            SafeHttpClient http, WatcherConfig config, MeterRegistry metrics) {
        this.repos = repos;
        this.records = records;
        this.applier = applier;
        this.identity = identity;
        this.http = http;
        this.config = config;
        this.metrics = metrics;
    }

    private volatile boolean paused;

    /** Holds resyncs until {@link #resume()} (tests use it to look at a repo between a rejection and its resync). */
    public void pause() {
        paused = true;
    }

    public void resume() {
        paused = false;
    }

    @Scheduled(every = "1s", delayed = "1s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void runDue() {
        if (!config.enabled() || paused) {
            return;
        }
        try {
            for (int i = 0; i < 10; i++) {
                Optional<WatchedRepo> claimed = repos.claimResync(config.resyncLease());
                if (claimed.isEmpty()) {
                    return;
                }
                resync(claimed.get());
            }
        } catch (SQLException e) {
            LOG.warn("resync round failed", e);
        }
    }

    void resync(WatchedRepo repo) throws SQLException {
        try {
            ResolvedIdentity who = identity.refresh(new Did(repo.did()));
            if (who.pds() == null) {
                throw new IdentityException("the DID document names no PDS");
            }
            RepoSnapshot snapshot = fetch(who);
            reconcile(repo.did(), who.pds().toString(), who.signingKey(), snapshot);
            metrics.counter("atpin.watcher.resyncs", "result", "ok").increment();
        } catch (SafeHttpClientFailure | RuntimeException e) { // IdentityException, IpldException, fetch failures
            metrics.counter("atpin.watcher.resyncs", "result", "failed").increment();
            Duration retryIn = backoff(repo.attempts());
            LOG.infof("resync of %s failed (attempt %d, retry in %ds): %s", repo.did(), repo.attempts(),
                    retryIn.toSeconds(), e.getMessage());
            repos.resyncFailed(repo.did(), e.getMessage(), retryIn);
        }
    }

    /** Wraps the HTTP client's failures so that they are handled like any other resync failure. */
    static final class SafeHttpClientFailure extends Exception {
        SafeHttpClientFailure(String message, Throwable cause) {
            super(message, cause);
        }
    }

    RepoSnapshot fetch(ResolvedIdentity who) throws SafeHttpClientFailure {
        URI url = URI.create(who.pds().toString().replaceAll("/$", "") + "/xrpc/com.atproto.sync.getRepo?did="
                + URLEncoder.encode(who.did().value(), StandardCharsets.UTF_8));
        SafeHttpClient.Response response;
        try {
            // A whole repo can take longer than the identity client's deadline for small documents.
            response = http.get(url, new SafeHttpClient.Options(config.maxRepoBytes(), true, "application/vnd.ipld.car")
                    .withTimeout(config.repoFetchTimeout()));
        } catch (RuntimeException e) {
            throw new SafeHttpClientFailure("getRepo failed: " + e.getMessage(), e);
        }
        if (!response.ok()) {
            throw new SafeHttpClientFailure("getRepo answered " + response.status() + ": "
                    + abbreviate(response.text()), null);
        }
        Car car = CarReader.read(response.body());
        Cid root = car.firstRoot().orElseThrow(() -> new IpldException("the repo CAR has no root"));
        byte[] commitBlock = car.get(root);
        if (commitBlock == null) {
            throw new IpldException("the repo CAR lacks its commit block");
        }
        RepoCommit commit = RepoCommit.decode(commitBlock);
        if (!commit.did().equals(who.did().value())) {
            throw new IpldException("the repo's commit is for " + commit.did() + ", not " + who.did().value());
        }
        if (!applier.signedByRepoKey(who.did().value(), commit)) {
            throw new IpldException("the repo's commit " + commit.rev() + " is not signed by the account's key");
        }
        Map<String, byte[]> pinRecords = new LinkedHashMap<>();
        byte[][] enrollment = {null};
        Mst.walk(car, commit.data(), (path, cid) -> {
            if (records.isPinRecord(path)) {
                pinRecords.put(path, block(car, cid));
            } else if (path.equals(records.enrollmentPath())) {
                enrollment[0] = block(car, cid);
            }
        });
        return new RepoSnapshot(commit, car, pinRecords, enrollment[0]);
    }

    /**
     * Makes the record pins equal the snapshot's, then replays the events buffered meanwhile, one frame in
     * memory at a time. Nothing here touches the network while the repo's row is locked: buffered commits are
     * checked with {@code key}, resolved just before.
     */
    @Transactional(rollbackOn = Exception.class)
    void reconcile(String did, String pdsUrl, AtprotoKey key, RepoSnapshot snapshot) throws SQLException {
        WatchedRepo repo = repos.lock(did).orElseThrow();
        if (repo.state() != RepoState.RESYNCING) {
            return; // taken over by another replica after our lease ran out
        }
        repos.setPds(did, pdsUrl);
        if (snapshot.enrollment() == null || !records.isEnrollment(DagCbor.decode(snapshot.enrollment()))) {
            records.removeAll(did);
            repos.advance(did, snapshot.commit().rev(), snapshot.commit().data().toString(), null);
            repos.setState(did, RepoState.UNENROLLED, "the repo has no enrollment record naming " + records.serviceDid());
            repos.clearBuffer(did);
            return;
        }
        Set<String> wanted = new HashSet<>();
        for (Map.Entry<String, byte[]> record : snapshot.pinRecords().entrySet()) {
            records.put(did, record.getKey(), record.getValue());
            wanted.add(RecordPins.uri(did, record.getKey()));
        }
        for (String source : records.current(did).keySet()) {
            if (!wanted.contains(source)) {
                records.remove(did, source.substring(("at://" + did + "/").length()));
            }
        }
        repos.advance(did, snapshot.commit().rev(), snapshot.commit().data().toString(), null);
        repos.setState(did, RepoState.ACTIVE, null);
        if (repos.bufferOverflowed(did)) {
            // Events were dropped while we resynced: replaying the rest would leave a hole. Start over.
            repos.clearBuffer(did);
            repos.desynchronize(did, "more events arrived during the resync than the buffer holds ("
                    + config.maxBufferedEvents() + " events, " + config.maxBufferedBytes() + " bytes); resyncing again");
            return;
        }
        replayBuffered(did, key);
        repos.clearBuffer(did);
    }

    private void replayBuffered(String did, AtprotoKey key) throws SQLException {
        WatchedRepo active = repos.lock(did).orElseThrow();
        for (long seq : repos.bufferedSeqs(did)) {
            Optional<byte[]> frame = repos.bufferedFrame(did, seq);
            if (frame.isEmpty()) {
                continue;
            }
            try {
                if (FirehoseFrame.parse(frame.get()).event() instanceof FirehoseEvent.Commit commit) {
                    if (applier.applyVerified(active, commit, key) == CommitApplier.Outcome.REJECTED) {
                        return; // desynchronized again: the next resync takes over
                    }
                    active = repos.lock(did).orElseThrow();
                }
            } catch (RuntimeException e) {
                if (!PoisonEvents.isPoison(e)) {
                    throw e;
                }
                repos.desynchronize(did, "buffered event seq " + seq + " could not be applied: " + e.getMessage());
                return;
            }
        }
    }

    Duration backoff(int attempts) {
        Duration delay = config.resyncBackoff().multipliedBy(1L << Math.min(Math.max(attempts - 1, 0), 16));
        return delay.compareTo(config.resyncMaxBackoff()) > 0 ? config.resyncMaxBackoff() : delay;
    }

    private static byte[] block(Car car, Cid cid) {
        byte[] block = car.get(cid);
        if (block == null) {
            throw new IpldException("the repo CAR lacks record block " + cid);
        }
        return block;
    }

    private static String abbreviate(String s) {
        return s.length() > 200 ? s.substring(0, 200) : s;
    }
}
