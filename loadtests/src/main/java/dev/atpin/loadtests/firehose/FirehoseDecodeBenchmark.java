package dev.atpin.loadtests.firehose;

import dev.atpin.identity.AtprotoKey;
import dev.atpin.ipld.CommitVerification;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.RepoCommit;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * How many firehose frames per second the repo watcher's decoding can take on one thread, for the two kinds of
 * frame it meets: the irrelevant ones (another account's commit, dropped after the header and the DID) and the
 * relevant ones (an enrolled account's commit, fully checked before anything is applied). One benchmark operation
 * is one frame, so JMH's ops/s are frames per second.
 *
 * <p>The frames come from {@link FirehoseCorpus}: realistic, deterministic {@code #commit} frames of many accounts,
 * visited round-robin so that caches see a stream rather than one hot frame. Each operation starts from the raw
 * bytes, as the watcher does ({@link FirehoseFrame} caches what it decoded, so a parsed frame is never reused).
 *
 * <p>The steps mirror {@code dev.atpin.watcher.FirehoseConsumer}, {@code FirehoseHandler} and
 * {@code CommitApplier.check}, without the database and the identity resolver: the signing key comes from a map,
 * as from a warm identity cache. Speeds are measured, never asserted: this is not a test.
 */
@BenchmarkMode(Mode.Throughput)
@OutputTimeUnit(TimeUnit.SECONDS)
@Warmup(iterations = 3, time = 3)
@Measurement(iterations = 5, time = 3)
@Fork(value = 1, jvmArgsAppend = {"-Xms2g", "-Xmx2g"})
@State(Scope.Thread)
public class FirehoseDecodeBenchmark {

    private static final long CORPUS_SEED = 20250101L;
    private static final long OTHER_DIDS_SEED = 7L;
    /**
     * A directory where the generated corpus is kept between forks and runs (the runner script sets it); without
     * it every fork generates the corpus anew.
     */
    public static final String CACHE_PROPERTY = "atpin.bench.corpusCache";

    /** Accounts in the corpus; each makes {@link #commitsPerRepo} commits. */
    @Param("1000")
    public int repos;

    /** Commits per account: frames = repos × commitsPerRepo. */
    @Param("3")
    public int commitsPerRepo;

    private byte[][] frames;
    private int next;
    /** What the watcher watches while the stream is someone else's: as many DIDs, none of the corpus's. */
    private Map<String, Object> unwatched;
    /** What the watcher watches when every frame is relevant: all corpus DIDs. */
    private Map<String, Object> watched;
    private Map<String, AtprotoKey> keys;

    /**
     * Generates (or reads back, see {@link #CACHE_PROPERTY}) and checks the corpus, once per fork, not measured.
     * The check runs every time: a corpus with a frame that fails would measure an early rejection.
     */
    @Setup(Level.Trial)
    public void setUp() {
        long start = System.nanoTime();
        String cache = System.getProperty(CACHE_PROPERTY);
        FirehoseCorpus corpus = FirehoseCorpus.cached(cache == null || cache.isBlank() ? null : Path.of(cache),
                CORPUS_SEED, repos, 200, 400, commitsPerRepo);
        corpus.check();
        List<byte[]> list = corpus.frames();
        frames = list.toArray(new byte[0][]);
        keys = corpus.keys();
        watched = new HashMap<>();
        keys.keySet().forEach(did -> watched.put(did, Boolean.TRUE));
        unwatched = new HashMap<>();
        Set<String> others = FirehoseCorpus.otherDids(OTHER_DIDS_SEED, repos);
        others.forEach(did -> {
            if (keys.containsKey(did)) {
                throw new IllegalStateException("the unwatched set overlaps the corpus: " + did);
            }
            unwatched.put(did, Boolean.TRUE);
        });
        next = 0;
        System.out.printf("%ncorpus: %s; ready and checked in %.1f s%n", corpus.stats(),
                (System.nanoTime() - start) / 1e9);
    }

    private byte[] nextFrame() {
        byte[] frame = frames[next];
        next = next + 1 == frames.length ? 0 : next + 1;
        return frame;
    }

    /**
     * An irrelevant frame: split it and decode the header, read the DID (and seq, for the cursor) without decoding
     * the rest, find the DID is not watched, drop the frame.
     *
     * @return the cursor value, so that nothing is optimized away
     */
    @Benchmark
    public long headerOnlyFiltering() {
        FirehoseFrame frame = FirehoseFrame.parse(nextFrame());
        if (frame.header().isError()) {
            throw new IllegalStateException("error frame");
        }
        String did = frame.did();
        if (did != null && unwatched.containsKey(did)) {
            throw new IllegalStateException("a corpus DID is in the unwatched set");
        }
        OptionalLong seq = frame.seq();
        return seq.orElse(-1);
    }

    /**
     * A relevant frame, decoded but not checked: the whole payload into a typed {@code #commit} event. The part
     * of {@link #fullVerification} that is not CAR, MST or signature work.
     *
     * @return the event
     */
    @Benchmark
    public FirehoseEvent decodeOnly() {
        FirehoseFrame frame = relevantFrame();
        return frame.event();
    }

    /**
     * A relevant frame, checked but for the signature: decode, then the CAR's block hashes, the commit block,
     * each operation's MST proof and the inversion of the operations to {@code prevData}.
     *
     * @return the verification result
     */
    @Benchmark
    public CommitVerification.Result verifyWithoutSignature() {
        FirehoseEvent.Commit commit = (FirehoseEvent.Commit) relevantFrame().event();
        CommitVerification.Result result = CommitVerification.verify(commit);
        if (!result.valid()) {
            throw new IllegalStateException(result.detail());
        }
        return result;
    }

    /**
     * A relevant frame, checked as {@code CommitApplier.check} checks it before applying: everything in
     * {@link #verifyWithoutSignature}, then the commit's secp256k1 signature (low-S required) against the
     * account's key.
     *
     * @return the verification result
     */
    @Benchmark
    public CommitVerification.Result fullVerification() {
        FirehoseEvent.Commit commit = (FirehoseEvent.Commit) relevantFrame().event();
        if (commit.tooBig()) {
            throw new IllegalStateException("tooBig");
        }
        CommitVerification.Result result = CommitVerification.verify(commit);
        if (!result.valid()) {
            throw new IllegalStateException(result.detail());
        }
        RepoCommit signed = result.commit();
        if (!keys.get(commit.repo()).verify(signed.unsignedBytes(), signed.sig(), true)) {
            throw new IllegalStateException("bad signature");
        }
        return result;
    }

    private FirehoseFrame relevantFrame() {
        FirehoseFrame frame = FirehoseFrame.parse(nextFrame());
        if (frame.header().isError()) {
            throw new IllegalStateException("error frame");
        }
        String did = frame.did();
        if (did == null || !watched.containsKey(did)) {
            throw new IllegalStateException("a corpus DID is not in the watched set");
        }
        return frame;
    }
}
