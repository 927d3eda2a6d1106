package dev.atpin.loadtests.firehose;

import dev.atpin.identity.AtprotoKey;
import dev.atpin.ipld.BlockStore;
import dev.atpin.ipld.CarWriter;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.CommitVerification;
import dev.atpin.ipld.DagCbor;
import dev.atpin.ipld.FirehoseEvent;
import dev.atpin.ipld.FirehoseFrame;
import dev.atpin.ipld.Mst;
import dev.atpin.ipld.MstBuilder;
import dev.atpin.ipld.MstInversion;
import dev.atpin.ipld.RepoCommit;
import java.io.DataInputStream;
import java.io.DataOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.Collections;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.digests.SHA256Digest;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.crypto.params.ECDomainParameters;
import org.bouncycastle.crypto.params.ECPrivateKeyParameters;
import org.bouncycastle.crypto.signers.ECDSASigner;
import org.bouncycastle.crypto.signers.HMacDSAKCalculator;

/**
 * A deterministic corpus of {@code #commit} firehose frames as a PDS emits them: many accounts, each with its own
 * secp256k1 signing key and a repository of a few hundred Bluesky-like records (likes, follows, posts, reposts, a
 * profile), and a stream of commits that create, update or delete one to three records. Each frame carries the
 * signed commit block, the MST nodes the commit created plus the unchanged nodes that the proofs and the inversion
 * to {@code prevData} need, and the written record blocks, with {@code ops} (with {@code prev}) and
 * {@code prevData}: the sync 1.1 shape that {@link CommitVerification} checks completely.
 *
 * <p>Everything derives from one {@link Random} seed (whose algorithm the JDK specifies) and signatures are
 * RFC 6979 deterministic, so the same parameters give the same bytes on every machine and run.
 *
 * <p>This mirrors the service's test helper {@code dev.atpin.ipld.TestRepo}, which this module cannot depend on.
 */
public final class FirehoseCorpus {

    private static final X9ECParameters K256 = CustomNamedCurves.getByName("secp256k1");
    private static final ECDomainParameters DOMAIN =
            new ECDomainParameters(K256.getCurve(), K256.getG(), K256.getN(), K256.getH());
    private static final BigInteger HALF_ORDER = K256.getN().shiftRight(1);
    private static final String BASE32_SORTABLE = "234567abcdefghijklmnopqrstuvwxyz";
    private static final String BASE32 = "abcdefghijklmnopqrstuvwxyz234567";
    private static final String[] WORDS = ("the a of to and in is it you that for on with this be at have are not "
            + "just so like what about was my but if they all one people can get now today new time know really "
            + "think good more post here from would your there out when going still make first see some pinning "
            + "ipfs atproto firehose relay repo commit merkle tree block hash verify network protocol open data "
            + "weekend coffee music cat dog photo art book reading running garden morning night city rain sun")
            .split(" ");
    private static final String[] LANGS = {"en", "en", "en", "ja", "pt", "de", "es", "fr"};

    private final List<byte[]> frames;
    private final Map<String, AtprotoKey> keys;
    private final Stats stats;

    /**
     * Figures about the corpus, for the benchmark's log.
     *
     * @param repos        accounts
     * @param records      records across all repos before the first commit
     * @param frames       frames
     * @param ops          record operations across all frames
     * @param totalBytes   bytes of all frames
     * @param minBytes     the smallest frame
     * @param medianBytes  the median frame
     * @param maxBytes     the largest frame
     * @param blocks       CAR blocks across all frames
     */
    public record Stats(int repos, long records, int frames, long ops, long totalBytes, int minBytes,
                        int medianBytes, int maxBytes, long blocks) {

        @Override
        public String toString() {
            return String.format("%d repos (%d records), %d #commit frames, %.2f ops and %.1f CAR blocks per frame, "
                            + "frame size min %d / median %d / mean %d / max %d bytes, %.1f MiB in all",
                    repos, records, frames, (double) ops / frames, (double) blocks / frames, minBytes, medianBytes,
                    totalBytes / frames, maxBytes, totalBytes / 1048576.0);
        }
    }

    private FirehoseCorpus(List<byte[]> frames, Map<String, AtprotoKey> keys, Stats stats) {
        this.frames = frames;
        this.keys = keys;
        this.stats = stats;
    }

    /**
     * The frames, in stream order (commits of different accounts interleaved).
     *
     * @return the binary WebSocket messages
     */
    public List<byte[]> frames() {
        return frames;
    }

    /**
     * Each account's public signing key, as the identity cache would hold it.
     *
     * @return keys by DID
     */
    public Map<String, AtprotoKey> keys() {
        return keys;
    }

    /**
     * Sizes and counts.
     *
     * @return the figures
     */
    public Stats stats() {
        return stats;
    }

    /**
     * Builds a corpus.
     *
     * @param seed           the random seed
     * @param repos          number of accounts
     * @param minRecords     fewest records an account starts with
     * @param maxRecords     most records an account starts with
     * @param commitsPerRepo commits each account makes; frames = repos * commitsPerRepo
     * @return the corpus
     */
    public static FirehoseCorpus generate(long seed, int repos, int minRecords, int maxRecords, int commitsPerRepo) {
        Random random = new Random(seed);
        Clock clock = new Clock(random);
        List<Repo> all = new ArrayList<>(repos);
        Map<String, AtprotoKey> keys = new LinkedHashMap<>();
        long records = 0;
        for (int i = 0; i < repos; i++) {
            Repo repo = new Repo(randomDid(random), random, clock);
            repo.populate(minRecords + random.nextInt(maxRecords - minRecords + 1), all);
            records += repo.entries.size();
            all.add(repo);
            keys.put(repo.did, repo.publicKey);
        }
        List<byte[]> frames = new ArrayList<>(repos * commitsPerRepo);
        long seq = 5_000_000_000L + random.nextInt(1_000_000);
        long ops = 0;
        long blocks = 0;
        for (int round = 0; round < commitsPerRepo; round++) {
            List<Repo> order = new ArrayList<>(all);
            Collections.shuffle(order, random);
            for (Repo repo : order) {
                Repo.Emitted emitted = repo.commit(seq++, all);
                frames.add(emitted.frame());
                ops += emitted.ops();
                blocks += emitted.blocks();
            }
        }
        return new FirehoseCorpus(List.copyOf(frames), Collections.unmodifiableMap(keys),
                stats(repos, records, frames, ops, blocks));
    }

    private static Stats stats(int repos, long records, List<byte[]> frames, long ops, long blocks) {
        int[] sizes = frames.stream().mapToInt(f -> f.length).sorted().toArray();
        long total = 0;
        for (int size : sizes) {
            total += size;
        }
        return new Stats(repos, records, frames.size(), ops, total, sizes[0], sizes[sizes.length / 2],
                sizes[sizes.length - 1], blocks);
    }

    /**
     * {@link #generate}, or the same corpus read back from a file in {@code cacheDir} that an earlier call with the
     * same arguments wrote. Generating takes seconds in a cold JVM, and JMH starts one per benchmark. The file name
     * holds the arguments and a hash of this class's bytecode, so a changed generator never reads a stale file.
     *
     * @param cacheDir       where to keep the file; null to always generate
     * @param seed           the random seed
     * @param repos          number of accounts
     * @param minRecords     fewest records an account starts with
     * @param maxRecords     most records an account starts with
     * @param commitsPerRepo commits each account makes
     * @return the corpus
     */
    public static FirehoseCorpus cached(Path cacheDir, long seed, int repos, int minRecords, int maxRecords,
                                        int commitsPerRepo) {
        if (cacheDir == null) {
            return generate(seed, repos, minRecords, maxRecords, commitsPerRepo);
        }
        Path file = cacheDir.resolve("firehose-corpus-" + generatorHash() + "-" + seed + "-" + repos + "-"
                + minRecords + "-" + maxRecords + "-" + commitsPerRepo + ".bin");
        if (Files.isRegularFile(file)) {
            try {
                return read(file);
            } catch (IOException | RuntimeException e) {
                System.err.println("ignoring unreadable corpus cache " + file + ": " + e);
            }
        }
        FirehoseCorpus corpus = generate(seed, repos, minRecords, maxRecords, commitsPerRepo);
        try {
            Files.createDirectories(cacheDir);
            Path temp = Files.createTempFile(cacheDir, "firehose-corpus", ".tmp");
            try (DataOutputStream out = new DataOutputStream(new java.io.BufferedOutputStream(
                    Files.newOutputStream(temp)))) {
                corpus.write(out);
            }
            Files.move(temp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } catch (IOException e) {
            System.err.println("could not cache the corpus in " + cacheDir + ": " + e);
        }
        return corpus;
    }

    private void write(DataOutputStream out) throws IOException {
        out.writeInt(stats.repos());
        out.writeLong(stats.records());
        out.writeLong(stats.ops());
        out.writeLong(stats.blocks());
        out.writeInt(keys.size());
        for (Map.Entry<String, AtprotoKey> key : keys.entrySet()) {
            out.writeUTF(key.getKey());
            byte[] point = key.getValue().compressed();
            out.writeInt(point.length);
            out.write(point);
        }
        out.writeInt(frames.size());
        for (byte[] frame : frames) {
            out.writeInt(frame.length);
            out.write(frame);
        }
    }

    private static FirehoseCorpus read(Path file) throws IOException {
        try (DataInputStream in = new DataInputStream(new java.io.BufferedInputStream(Files.newInputStream(file)))) {
            int repos = in.readInt();
            long records = in.readLong();
            long ops = in.readLong();
            long blocks = in.readLong();
            Map<String, AtprotoKey> keys = new LinkedHashMap<>();
            for (int i = in.readInt(); i > 0; i--) {
                String did = in.readUTF();
                keys.put(did, AtprotoKey.fromPoint(AtprotoKey.Curve.K256, in.readNBytes(in.readInt())));
            }
            List<byte[]> frames = new ArrayList<>();
            for (int i = in.readInt(); i > 0; i--) {
                frames.add(in.readNBytes(in.readInt()));
            }
            if (in.read() != -1) {
                throw new IOException("trailing bytes");
            }
            return new FirehoseCorpus(List.copyOf(frames), Collections.unmodifiableMap(keys),
                    stats(repos, records, frames, ops, blocks));
        }
    }

    /**
     * A short hash of the classes that shape the frames, this generator's and the service's encoders and tree
     * builders, so that a cache file from older code is never read.
     */
    private static String generatorHash() {
        List<String> classes = new ArrayList<>();
        for (Class<?> type : List.of(FirehoseCorpus.class, Repo.class, Clock.class)) {
            classes.add(type.getName());
        }
        for (String name : List.of("DagCbor", "MstBuilder", "MstTree", "MstNode", "Mst", "MstInversion",
                "CarWriter", "RepoCommit", "Cid", "Multihash")) {
            classes.add("dev.atpin.ipld." + name);
        }
        try {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            for (String name : classes) {
                try (InputStream in = FirehoseCorpus.class.getResourceAsStream("/" + name.replace('.', '/')
                        + ".class")) {
                    if (in == null) {
                        throw new IllegalStateException("class file of " + name + " not found");
                    }
                    sha.update(in.readAllBytes());
                }
            }
            return HexFormat.of().formatHex(sha.digest(), 0, 6);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Checks that every frame passes what the watcher checks: a valid {@code #commit} whose operations are proven
     * and inverted to {@code prevData}, signed low-S by its account's key. A corpus that failed here would make the
     * benchmarks measure an early rejection instead of the full work.
     *
     * @throws IllegalStateException naming the first frame that fails
     */
    public void check() {
        for (int i = 0; i < frames.size(); i++) {
            FirehoseFrame frame = FirehoseFrame.parse(frames.get(i));
            if (!(frame.event() instanceof FirehoseEvent.Commit commit)) {
                throw new IllegalStateException("frame " + i + " is not a #commit");
            }
            CommitVerification.Result result = CommitVerification.verify(commit);
            if (!result.valid() || !result.inverted()) {
                throw new IllegalStateException("frame " + i + " does not verify: " + result.detail());
            }
            RepoCommit signed = result.commit();
            if (!keys.get(commit.repo()).verify(signed.unsignedBytes(), signed.sig(), true)) {
                throw new IllegalStateException("frame " + i + " has a bad signature");
            }
        }
    }

    /**
     * DIDs of the same shape as the corpus's, none of them in it (the corpus's come from another seed).
     *
     * @param seed  the seed; must differ from the corpus's
     * @param count how many
     * @return the DIDs
     */
    public static Set<String> otherDids(long seed, int count) {
        Random random = new Random(seed);
        Set<String> dids = new HashSet<>();
        while (dids.size() < count) {
            dids.add(randomDid(random));
        }
        return dids;
    }

    private static String randomDid(Random random) {
        StringBuilder did = new StringBuilder("did:plc:");
        for (int i = 0; i < 24; i++) {
            did.append(BASE32.charAt(random.nextInt(32)));
        }
        return did.toString();
    }

    /** One account: its key, records and current tree. */
    private static final class Repo {

        record Emitted(byte[] frame, int ops, int blocks) {
        }

        private final String did;
        private final BigInteger privateKey;
        private final AtprotoKey publicKey;
        private final Random random;
        private final Clock clock;
        private final TreeMap<String, Cid> entries = new TreeMap<>();
        private final List<String> deletable = new ArrayList<>();
        private final List<String> posts = new ArrayList<>();
        private MstBuilder.Built tree;
        private String rev;

        Repo(String did, Random random, Clock clock) {
            this.did = did;
            this.random = random;
            this.clock = clock;
            BigInteger d;
            do {
                d = new BigInteger(256, random);
            } while (d.signum() == 0 || d.compareTo(K256.getN()) >= 0);
            this.privateKey = d;
            this.publicKey = AtprotoKey.fromPoint(AtprotoKey.Curve.K256,
                    DOMAIN.getG().multiply(d).normalize().getEncoded(true));
        }

        /** The records the account starts with; the earlier repos are the ones it likes, follows and reposts. */
        void populate(int count, List<Repo> others) {
            entries.put("app.bsky.actor.profile/self", DagCbor.cid(DagCbor.encode(profile())));
            for (int i = 1; i < count; i++) {
                Map.Entry<String, Map<String, Object>> record = newRecord(others);
                entries.put(record.getKey(), DagCbor.cid(DagCbor.encode(record.getValue())));
                remember(record.getKey());
            }
            tree = MstBuilder.build(entries);
            rev = clock.tid();
        }

        private void remember(String path) {
            deletable.add(path);
            if (path.startsWith("app.bsky.feed.post/")) {
                posts.add(path);
            }
        }

        /** A new record: mostly likes, then posts, follows and reposts, roughly as on the network. */
        private Map.Entry<String, Map<String, Object>> newRecord(List<Repo> others) {
            String rkey = clock.tid();
            int kind = random.nextInt(100);
            Map<String, Object> record = new LinkedHashMap<>();
            String collection;
            if (kind < 45) {
                collection = "app.bsky.feed.like";
                record.put("$type", collection);
                record.put("subject", strongRef(others));
            } else if (kind < 70) {
                collection = "app.bsky.feed.post";
                record.put("$type", collection);
                record.put("text", text(5 + random.nextInt(45)));
                record.put("langs", List.of(LANGS[random.nextInt(LANGS.length)]));
                if (random.nextInt(3) == 0) {
                    Map<String, Object> root = strongRef(others);
                    record.put("reply", Map.of("root", root, "parent", random.nextBoolean() ? root
                            : strongRef(others)));
                }
                if (random.nextInt(5) == 0) {
                    List<Object> images = new ArrayList<>();
                    for (int i = random.nextInt(4); i >= 0; i--) {
                        images.add(Map.of("alt", text(random.nextInt(12)), "image", blob("image/jpeg"),
                                "aspectRatio", Map.of("width", 1000L + random.nextInt(1000),
                                        "height", 1000L + random.nextInt(1000))));
                    }
                    record.put("embed", Map.of("$type", "app.bsky.embed.images", "images", images));
                }
            } else if (kind < 90) {
                collection = "app.bsky.graph.follow";
                record.put("$type", collection);
                record.put("subject", others.isEmpty() ? did : others.get(random.nextInt(others.size())).did);
            } else {
                collection = "app.bsky.feed.repost";
                record.put("$type", collection);
                record.put("subject", strongRef(others));
            }
            record.put("createdAt", clock.iso());
            return Map.entry(collection + "/" + rkey, record);
        }

        private Map<String, Object> profile() {
            Map<String, Object> profile = new LinkedHashMap<>();
            profile.put("$type", "app.bsky.actor.profile");
            profile.put("displayName", text(1 + random.nextInt(3)));
            profile.put("description", text(5 + random.nextInt(30)));
            profile.put("avatar", blob("image/jpeg"));
            profile.put("createdAt", clock.iso());
            return profile;
        }

        private Map<String, Object> strongRef(List<Repo> others) {
            Repo target = others.isEmpty() ? this : others.get(random.nextInt(others.size()));
            String path = target.posts.isEmpty() ? "app.bsky.feed.post/" + clock.tid()
                    : target.posts.get(random.nextInt(target.posts.size()));
            return Map.of("uri", "at://" + target.did + "/" + path, "cid", randomCid().toString());
        }

        private Map<String, Object> blob(String mimeType) {
            Map<String, Object> blob = new LinkedHashMap<>();
            blob.put("$type", "blob");
            blob.put("ref", Cid.v1(Cid.RAW, DagCbor.cid(randomBytes(32)).multihash()));
            blob.put("mimeType", mimeType);
            blob.put("size", 20_000L + random.nextInt(900_000));
            return blob;
        }

        private Cid randomCid() {
            return DagCbor.cid(randomBytes(32));
        }

        private byte[] randomBytes(int n) {
            byte[] bytes = new byte[n];
            random.nextBytes(bytes);
            return bytes;
        }

        private String text(int words) {
            StringBuilder text = new StringBuilder();
            for (int i = 0; i < words; i++) {
                if (i > 0) {
                    text.append(' ');
                }
                text.append(WORDS[random.nextInt(WORDS.length)]);
            }
            return text.toString();
        }

        /**
         * One commit of 1–3 operations (70% one, 20% two, 10% three); each is a create (80%), a delete of an older
         * record (15%) or an update of the profile (5%).
         */
        Emitted commit(long seq, List<Repo> others) {
            int count = switch (random.nextInt(10)) {
                case 0 -> 3;
                case 1, 2 -> 2;
                default -> 1;
            };
            MstBuilder.Built before = tree;
            String since = rev;
            List<FirehoseEvent.RepoOp> ops = new ArrayList<>();
            Map<Cid, byte[]> written = new LinkedHashMap<>();
            Set<String> touched = new HashSet<>();
            for (int i = 0; i < count; i++) {
                int action = random.nextInt(100);
                if (action < 80 || deletable.isEmpty()) {
                    Map.Entry<String, Map<String, Object>> record = newRecord(others);
                    byte[] block = DagCbor.encode(record.getValue());
                    Cid cid = DagCbor.cid(block);
                    entries.put(record.getKey(), cid);
                    written.put(cid, block);
                    touched.add(record.getKey());
                    ops.add(new FirehoseEvent.RepoOp("create", record.getKey(), cid, null));
                    remember(record.getKey());
                } else if (action < 95) {
                    String path = deletable.remove(random.nextInt(deletable.size()));
                    posts.remove(path);
                    if (!touched.add(path)) {
                        continue;
                    }
                    Cid old = entries.remove(path);
                    ops.add(new FirehoseEvent.RepoOp("delete", path, null, old));
                } else {
                    String path = "app.bsky.actor.profile/self";
                    if (!touched.add(path)) {
                        continue;
                    }
                    byte[] block = DagCbor.encode(profile());
                    Cid cid = DagCbor.cid(block);
                    Cid old = entries.put(path, cid);
                    written.put(cid, block);
                    ops.add(new FirehoseEvent.RepoOp("update", path, cid, old));
                }
            }
            tree = MstBuilder.build(entries);
            rev = clock.tid();
            RepoCommit unsigned = RepoCommit.unsigned(did, tree.root(), rev, null);
            RepoCommit commit = unsigned.sign(sign(unsigned.unsignedBytes()));
            Cid commitCid = commit.cid();

            // The diff: the commit, the nodes this commit created, the unchanged nodes the proofs and the
            // inversion read (found by running them against the new tree), and the written records.
            Map<Cid, byte[]> diff = new LinkedHashMap<>();
            diff.put(commitCid, commit.block());
            Set<Cid> old = before.blocks().keySet();
            tree.blocks().forEach((cid, block) -> {
                if (!old.contains(cid)) {
                    diff.put(cid, block);
                }
            });
            Set<Cid> context = new HashSet<>();
            BlockStore recording = cid -> {
                context.add(cid);
                return tree.get(cid);
            };
            for (FirehoseEvent.RepoOp op : ops) {
                Mst.lookup(recording, tree.root(), op.path());
            }
            MstInversion.invert(recording, tree.root(),
                    ops.stream().map(FirehoseEvent.RepoOp::toInversionOp).toList());
            context.stream().filter(old::contains).sorted((a, b) -> a.toString().compareTo(b.toString()))
                    .forEach(cid -> diff.put(cid, tree.get(cid)));
            diff.putAll(written);
            byte[] car = CarWriter.write(List.of(commitCid), diff);

            return new Emitted(frame(seq, since, commitCid, car, ops, before.root()), ops.size(), diff.size());
        }

        /** The wire form: header {@code {op: 1, t: "#commit"}}, then the payload, as the reference PDS sends it. */
        private byte[] frame(long seq, String since, Cid commit, byte[] car, List<FirehoseEvent.RepoOp> ops,
                             Cid prevData) {
            Map<String, Object> body = new LinkedHashMap<>();
            body.put("seq", seq);
            body.put("repo", did);
            body.put("rev", rev);
            body.put("since", since);
            body.put("commit", commit);
            body.put("blocks", car);
            List<Object> wireOps = new ArrayList<>();
            for (FirehoseEvent.RepoOp op : ops) {
                Map<String, Object> wire = new LinkedHashMap<>();
                wire.put("action", op.action());
                wire.put("path", op.path());
                wire.put("cid", op.cid());
                if (op.prev() != null) {
                    wire.put("prev", op.prev());
                }
                wireOps.add(wire);
            }
            body.put("ops", wireOps);
            body.put("blobs", List.of());
            body.put("prevData", prevData);
            body.put("time", clock.iso());
            body.put("tooBig", false);
            body.put("rebase", false);
            byte[] head = DagCbor.encode(Map.of("op", 1L, "t", "#commit"));
            byte[] payload = DagCbor.encode(body);
            byte[] out = new byte[head.length + payload.length];
            System.arraycopy(head, 0, out, 0, head.length);
            System.arraycopy(payload, 0, out, head.length, payload.length);
            return out;
        }

        /** atproto's signature: ECDSA over SHA-256, RFC 6979 nonce, 64 bytes r‖s with s normalized to low-S. */
        private byte[] sign(byte[] data) {
            byte[] hash;
            try {
                hash = MessageDigest.getInstance("SHA-256").digest(data);
            } catch (NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
            ECDSASigner signer = new ECDSASigner(new HMacDSAKCalculator(new SHA256Digest()));
            signer.init(true, new ECPrivateKeyParameters(privateKey, DOMAIN));
            BigInteger[] rs = signer.generateSignature(hash);
            BigInteger s = rs[1].compareTo(HALF_ORDER) > 0 ? K256.getN().subtract(rs[1]) : rs[1];
            byte[] sig = new byte[64];
            fixed32(rs[0], sig, 0);
            fixed32(s, sig, 32);
            return sig;
        }

        private static void fixed32(BigInteger value, byte[] out, int offset) {
            byte[] raw = value.toByteArray();
            int length = Math.min(raw.length, 32);
            System.arraycopy(raw, raw.length - length, out, offset + 32 - length, length);
        }
    }

    /** A shared, strictly increasing clock for TIDs and timestamps (microseconds), starting in 2024. */
    private static final class Clock {

        private final Random random;
        private long micros = 1_704_067_200_000_000L;

        Clock(Random random) {
            this.random = random;
        }

        /** A TID: 53 bits of microseconds and a 10-bit clock id, base32-sortable, 13 characters. */
        String tid() {
            micros += 1 + random.nextInt(5_000_000);
            long value = (micros << 10) | random.nextInt(1024);
            StringBuilder out = new StringBuilder(13);
            for (int shift = 60; shift >= 0; shift -= 5) {
                out.append(BASE32_SORTABLE.charAt((int) ((value >>> shift) & 31)));
            }
            return out.toString();
        }

        String iso() {
            return Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1_000).toString();
        }
    }
}
