package dev.atpin.ipld;

import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;

class MstTest {

    /** The record CID every key of the interop MST fixtures maps to. */
    private static final Cid LEAF = Cid.parse("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454");

    /**
     * Transcribed from bluesky-social/atproto-interop-tests, firehose/commit-proof-fixtures.json (CC0; commit
     * 056e574): a tree of {@code keys} before a commit that adds {@code adds} and deletes {@code dels}, both roots,
     * and the MST blocks the reference implementation puts in the commit's diff for inversion to work.
     */
    record ProofFixture(String comment, List<String> keys, List<String> adds, List<String> dels, String before,
                        String after, List<String> blocksInProof) {

        @Override
        public String toString() {
            return comment;
        }
    }

    static Stream<ProofFixture> proofFixtures() {
        return Stream.of(
            new ProofFixture("two deep split",
                    List.of("A0/374913", "B1/986427", "C0/451630", "E0/670489", "F1/085263", "G0/765327"),
                    List.of("D2/269196"),
                    List.of(),
                    "bafyreicraprx2xwnico4tuqir3ozsxpz46qkcpox3obf5bagicqwurghpy",
                    "bafyreihvay6pazw3dfa47u5d2tn3rd6pa57sr37bo5bqyvjuqc73ib65my",
                    List.of("bafyreieazvzmba35p4phksumwfoklwe5o4ncmo7otud74idcyv4orrbzxi",
                            "bafyreie4227qpa4vbtbpnsvuhp322b776vjuhxsidi5hxp2gawumr4m3de",
                            "bafyreid44jgimksqqdratyste2moqu6zo4h6co2pknjppfoiplsqxtuxae",
                            "bafyreiaerlvitye7fjjwodkshtbqqdsmfsdjtnlz4vs6y4trnddshsmd5a",
                            "bafyreihvay6pazw3dfa47u5d2tn3rd6pa57sr37bo5bqyvjuqc73ib65my")),
            new ProofFixture("two deep leafless split",
                    List.of("A0/374913", "B0/601692", "D0/952776", "E0/670489"),
                    List.of("C2/014073"),
                    List.of(),
                    "bafyreialm5sgf7pijawbschsjpdevid5rss5ip3d4n4w6cc4mhu53sfl4i",
                    "bafyreibxh4iztp5l2yshz3ectg2qjpeyprpw2gogao3pvceowpq3k3thya",
                    List.of("bafyreih7dxytqtcjv3cfia3fi3wxofeip62teqkpynnkxisxqwfchfb4bu",
                            "bafyreiaqbymlnvpklmogx75gozjl3y73gva43jbgwcrqu2pp5g5ejou5vm",
                            "bafyreicfh3st5ghtnoqyyvznjv4lhfnvl7qsndempx35i4tcmoxakqbgrm",
                            "bafyreieyjrrai6igjceyxzkajrxgxz37da2eufb33anvesb4ev6yzztauu",
                            "bafyreibxh4iztp5l2yshz3ectg2qjpeyprpw2gogao3pvceowpq3k3thya")),
            new ProofFixture("add on edge with neighbor two layers down",
                    List.of("A0/374913", "B2/827649", "C0/451630"),
                    List.of("D2/269196"),
                    List.of(),
                    "bafyreigc6ay2qwfk7kuevvrczummpd64nknfo4yxpaooknfymzyb7u3ntq",
                    "bafyreign6kxoll35r5f2ske6hjx7vg56aw3jn6r5hcopgrepzafpvohr2a",
                    List.of("bafyreieazvzmba35p4phksumwfoklwe5o4ncmo7otud74idcyv4orrbzxi",
                            "bafyreidicvcjgrpm5bmhm3ndh2ysqfhgzk4chwn3m4kuvwkenfusspb4uy",
                            "bafyreign6kxoll35r5f2ske6hjx7vg56aw3jn6r5hcopgrepzafpvohr2a")),
            new ProofFixture("merge and split in multi-op commit",
                    List.of("A0/374913", "B2/827649", "D2/269196", "E0/670489"),
                    List.of("C2/014073"),
                    List.of("B2/827649", "D2/269196"),
                    "bafyreiceld4icym4qjmdcn3dfgtxt7t66hdgyhvigessgmkvb56dx6amgi",
                    "bafyreigkalika3taqauapfha556lo36zzcjoiifny5xeru6yis3nxw5ruq",
                    List.of("bafyreid44jgimksqqdratyste2moqu6zo4h6co2pknjppfoiplsqxtuxae",
                            "bafyreihytu6onh476trave25zuo63ziebkeong2755sc5nmf55uzdawgt4",
                            "bafyreigkalika3taqauapfha556lo36zzcjoiifny5xeru6yis3nxw5ruq",
                            "bafyreidnnkrdkcaswbflgtdsxm7nzs7p5f2rdous6wrlupzstuwqu5pfgm",
                            "bafyreia2kq243hqq3volwlzkbzzphoeqauk54sc5h7vgogq4ei5fjizxvy")),
            new ProofFixture("complex multi-op commit",
                    List.of("B0/601692", "C2/014073", "D0/952776", "E2/819540", "F0/697858", "H0/131238"),
                    List.of("A2/827942", "G2/611528"),
                    List.of("C2/014073"),
                    "bafyreigr3plnts7dax6yokvinbhcqpyicdfgg6npvvyx6okc5jo55slfqi",
                    "bafyreiftrcrbhrwmi37u4egedlg56gk3jeh3tvmqvwgowoifuklfysyx54",
                    List.of("bafyreih62n3gjbzzvlicuggpfydyzrp3ssyx7hdgtltd3sct3ribm3u73e",
                            "bafyreihrjhuoynjvgteuefin5vwnqmupyfzvmytdobpstqt3mbawgw5qhm",
                            "bafyreibevzst4gzkxo263syohlmq3lpxdvpjhlpyqx2ay3moh43lifydca",
                            "bafyreifsdd7dv2neal7zjhyrsvndkaocelqlpgfxwo4utoq2g77klih37e",
                            "bafyreid2wwyroodj2lxx2obikac74q77lsn6vqkoetlqqwwnr3criwlcvy",
                            "bafyreie55b224oljhykpsxdjq4ajn2ysksud7qm347s6kn2ei6a775faum",
                            "bafyreiftrcrbhrwmi37u4egedlg56gk3jeh3tvmqvwgowoifuklfysyx54")),
            new ProofFixture("split with earlier leaves on same layer",
                    List.of("app.bsky.feed.post/3lo3kqqljmfe2", "app.bsky.feed.post/3log4547dm6h2",
                            "app.bsky.feed.post/3log45inogon2", "app.bsky.feed.post/3logaodrh74d2",
                            "app.bsky.feed.post/3logteazog2n2", "app.bsky.feed.post/3lon5cqsbwrj2",
                            "app.bsky.feed.repost/3l6sjhvqonco2"),
                    List.of("app.bsky.feed.post/3lon5dzeaihj2"),
                    List.of(),
                    "bafyreigfcsro2up7qi7l3rxdpg7n6gjtteotkmgrrqztl5oy2tf4ncl4ji",
                    "bafyreig33hsjiplaixvmccy65n7rn3in5nsbtcittzx6k3w5wjfhk2sg3a",
                    List.of("bafyreig33hsjiplaixvmccy65n7rn3in5nsbtcittzx6k3w5wjfhk2sg3a",
                            "bafyreih2rhjm3apcghihwfojv2em7noqkgt5qyjcnxux7do674m464oc3m",
                            "bafyreiajhswkduap4zvqvfhth3skdgckmk2eb5gow7vv3gvj45f4fqwmxm")));
    }

    /** From the same repository, mst/key_heights.json; the repository spec lists four of them too. */
    @ParameterizedTest
    @CsvSource({
        "'', 0", "asdf, 0", "blue, 1", "2653ae71, 0", "88bfafc7, 2", "2a92d355, 4", "884976f5, 6",
        "app.bsky.feed.post/454397e440ec, 4", "app.bsky.feed.post/9adeb165882c, 8",
    })
    void computesKeyDepthFromLeadingZeroBitPairsOfTheSha256(String key, int depth) {
        assertEquals(depth, Mst.keyDepth(key));
        assertEquals(depth, Mst.keyDepth(key.getBytes(UTF_8)));
    }

    /** From the same repository, mst/common_prefix.json. */
    @ParameterizedTest
    @CsvSource({
        "'', '', 0", "abc, abc, 3", "'', abc, 0", "abc, '', 0", "ab, abc, 2", "abc, ab, 2", "abcde, abc, 3",
        "abc, abcde, 3", "abcde, abc1, 3", "abcde, abb, 2", "abcde, qbb, 0",
    })
    void countsTheBytesTwoKeysShare(String left, String right, int length) {
        assertEquals(length, MstNode.commonPrefixLength(left.getBytes(UTF_8), right.getBytes(UTF_8)));
    }

    @Test
    void countsASharedNulByteAsPrefix() {
        assertEquals(3, MstNode.commonPrefixLength("abc".getBytes(UTF_8), "abc\0".getBytes(UTF_8)));
        assertEquals(3, MstNode.commonPrefixLength("abc\0".getBytes(UTF_8), "abc".getBytes(UTF_8)));
    }

    @ParameterizedTest
    @MethodSource("proofFixtures")
    void buildsTheReferenceRootsBeforeAndAfterEachInteropCommit(ProofFixture fixture) {
        assertEquals(fixture.before(), MstBuilder.build(values(fixture.keys())).root().toString());
        assertEquals(fixture.after(), MstBuilder.build(values(after(fixture))).root().toString());
    }

    @ParameterizedTest
    @MethodSource("proofFixtures")
    void invertsEachInteropCommitFromOnlyTheBlocksOfItsProof(ProofFixture fixture) {
        MstBuilder.Built after = MstBuilder.build(values(after(fixture)));
        Map<Cid, byte[]> proof = proofBlocks(fixture, after);
        MstInversion.Result result = MstInversion.invert(BlockStore.of(proof), after.root(), ops(fixture));
        assertEquals(new MstInversion.Result.Inverted(Cid.parse(fixture.before())), result);
    }

    @ParameterizedTest
    @MethodSource("proofFixtures")
    void provesEachInteropCommitsCreatesAndDeletesFromTheProofBlocks(ProofFixture fixture) {
        MstBuilder.Built after = MstBuilder.build(values(after(fixture)));
        BlockStore proof = BlockStore.of(proofBlocks(fixture, after));
        for (String key : fixture.adds()) {
            Mst.Proof result = Mst.verify(proof, after.root(), key, LEAF);
            assertTrue(result.verified(), result.detail());
            assertEquals(Optional.of(LEAF), result.found());
        }
        for (String key : fixture.dels()) {
            assertTrue(Mst.verify(proof, after.root(), key, null).verified(), key);
        }
    }

    @ParameterizedTest
    @MethodSource("proofFixtures")
    void reportsAnIncompleteInversionWhenTheRootIsMissing(ProofFixture fixture) {
        MstBuilder.Built after = MstBuilder.build(values(after(fixture)));
        Map<Cid, byte[]> proof = proofBlocks(fixture, after);
        proof.remove(after.root());
        assertEquals(new MstInversion.Result.Incomplete(after.root()),
                MstInversion.invert(BlockStore.of(proof), after.root(), ops(fixture)));
    }

    @Test
    void reportsTheMissingNodeWhenAProofLacksAPathBlock() {
        ProofFixture fixture = proofFixtures().findFirst().orElseThrow();
        MstBuilder.Built after = MstBuilder.build(values(after(fixture)));
        Map<Cid, byte[]> proof = proofBlocks(fixture, after);
        int incomplete = 0;
        for (Cid cid : List.copyOf(proof.keySet())) {
            if (cid.equals(after.root())) {
                continue;
            }
            Map<Cid, byte[]> lacking = new HashMap<>(proof);
            lacking.remove(cid);
            MstInversion.Result result = MstInversion.invert(BlockStore.of(lacking), after.root(), ops(fixture));
            if (result instanceof MstInversion.Result.Incomplete missing) {
                assertEquals(cid, missing.missingBlock());
                incomplete++;
            } else {
                assertEquals(new MstInversion.Result.Inverted(Cid.parse(fixture.before())), result);
            }
        }
        assertTrue(incomplete > 0, "some block of the proof must be needed");
        Mst.Proof proofResult = Mst.verify(BlockStore.of(Map.of()), after.root(), "D2/269196", LEAF);
        assertEquals(Mst.ProofStatus.INCOMPLETE, proofResult.status());
        assertEquals(after.root(), proofResult.missingBlock());
        assertTrue(proofResult.detail().startsWith("proof incomplete"), proofResult.detail());
    }

    @Test
    void buildsTheEmptyTreeAsOneEmptyNode() {
        MstBuilder.Built empty = new MstBuilder().build();
        assertEquals("a2616580616cf6", java.util.HexFormat.of().formatHex(empty.get(empty.root())));
        assertEquals(List.of(), Mst.entries(empty, empty.root()));
        assertEquals(Optional.empty(), Mst.get(empty, empty.root(), "app.bsky.feed.post/x"));
        assertTrue(Mst.verify(empty, empty.root(), "a/b", null).verified());
    }

    @Test
    void walksEveryEntryInKeyOrderAndFindsEachOne() {
        Map<String, Cid> content = randomRepo(new Random(7), 2_000);
        MstBuilder.Built tree = MstBuilder.build(content);
        List<Mst.Entry> entries = Mst.entries(tree, tree.root());
        assertEquals(new ArrayList<>(new TreeMap<>(content).entrySet()).stream()
                .map(e -> new Mst.Entry(e.getKey(), e.getValue())).toList(), entries);
        for (Map.Entry<String, Cid> entry : content.entrySet()) {
            assertEquals(Optional.of(entry.getValue()), Mst.get(tree, tree.root(), entry.getKey()));
        }
        assertEquals(Optional.empty(), Mst.get(tree, tree.root(), "app.bsky.feed.like/zzz"));
        assertEquals(Optional.empty(), Mst.get(tree, tree.root(), "a"));
        assertEquals(Optional.empty(), Mst.get(tree, tree.root(), "zzz"));
        assertTrue(tree.blocks().size() > 300, "a tree this size has many nodes");
    }

    @Test
    void producesTheSameRootWhateverTheInsertionOrder() {
        Map<String, Cid> content = randomRepo(new Random(11), 500);
        List<String> keys = new ArrayList<>(content.keySet());
        Cid expected = MstBuilder.build(content).root();
        for (int round = 0; round < 3; round++) {
            Collections.shuffle(keys, new Random(round));
            MstBuilder builder = new MstBuilder();
            keys.forEach(key -> builder.put(key, content.get(key)));
            builder.put("app.bsky.feed.post/extra", LEAF).remove("app.bsky.feed.post/extra");
            assertEquals(expected, builder.build().root());
        }
    }

    @Test
    void refusesKeysAnMstCannotHold() {
        assertThrows(IllegalArgumentException.class, () -> new MstBuilder().put("", LEAF));
        assertThrows(IllegalArgumentException.class, () -> new MstBuilder().put("a".repeat(1025), LEAF));
        assertThrows(IllegalArgumentException.class, () -> MstBuilder.build(Map.of("a/\ud800", LEAF)));
        assertEquals(1, Mst.entries(MstBuilder.build(Map.of("a".repeat(1024), LEAF)),
                MstBuilder.build(Map.of("a".repeat(1024), LEAF)).root()).size());
    }

    @Test
    void invertsRandomCommitsOnRandomTrees() {
        Random random = new Random(3);
        for (int round = 0; round < 200; round++) {
            Map<String, Cid> before = randomRepo(random, random.nextInt(60));
            Map<String, Cid> after = new LinkedHashMap<>(before);
            List<MstInversion.Op> ops = new ArrayList<>();
            List<String> existing = new ArrayList<>(before.keySet());
            int count = 1 + random.nextInt(6);
            for (int i = 0; i < count; i++) {
                int kind = existing.isEmpty() ? 0 : random.nextInt(3);
                if (kind == 0) {
                    String key = "app.bsky.feed.post/" + Long.toString(random.nextLong() >>> 4, 32);
                    if (after.containsKey(key)) {
                        continue;
                    }
                    Cid cid = recordCid(random);
                    after.put(key, cid);
                    ops.add(MstInversion.Op.create(key, cid));
                } else {
                    String key = existing.remove(random.nextInt(existing.size()));
                    if (kind == 1) {
                        Cid cid = recordCid(random);
                        ops.add(MstInversion.Op.update(key, cid, after.put(key, cid)));
                    } else {
                        ops.add(MstInversion.Op.delete(key, after.remove(key)));
                    }
                }
            }
            MstBuilder.Built beforeTree = MstBuilder.build(before);
            MstBuilder.Built afterTree = MstBuilder.build(after);
            Collections.shuffle(ops, random);
            assertEquals(new MstInversion.Result.Inverted(beforeTree.root()),
                    MstInversion.invert(afterTree, afterTree.root(), ops), "round " + round);
            for (MstInversion.Op op : ops) {
                assertTrue(Mst.verify(afterTree, afterTree.root(), op.path(), op.cid()).verified(), op.path());
            }
        }
    }

    @Test
    void refusesOperationsTheTreeContradicts() {
        Map<String, Cid> content = randomRepo(new Random(5), 40);
        MstBuilder.Built tree = MstBuilder.build(content);
        String present = content.keySet().iterator().next();
        Cid other = recordCid(new Random(1));
        assertInvalid(tree, List.of(MstInversion.Op.create("app.bsky.feed.post/absent", LEAF)), "is not in the tree");
        assertInvalid(tree, List.of(MstInversion.Op.create(present, other)), "but the operation says");
        assertInvalid(tree, List.of(MstInversion.Op.update(present, other, LEAF)), "but the operation says");
        assertInvalid(tree, List.of(MstInversion.Op.delete(present, LEAF)), "is still in the tree");
        assertInvalid(tree, List.of(MstInversion.Op.delete("app.bsky.feed.post/absent", LEAF),
                MstInversion.Op.delete("app.bsky.feed.post/absent", LEAF)), "more than one operation");
        assertInvalid(tree, List.of(MstInversion.Op.delete("", LEAF)), "invalid path");
        // A truthful but incomplete op list inverts to some other root, which the caller compares with prevData.
        Map<String, Cid> bigger = new LinkedHashMap<>(content);
        bigger.put("app.bsky.feed.post/new1", LEAF);
        bigger.put("app.bsky.feed.post/new2", LEAF);
        MstBuilder.Built biggerTree = MstBuilder.build(bigger);
        MstInversion.Result partial = MstInversion.invert(biggerTree, biggerTree.root(),
                List.of(MstInversion.Op.create("app.bsky.feed.post/new1", LEAF)));
        assertNotEquals(new MstInversion.Result.Inverted(tree.root()), partial);
        assertInstanceOf(MstInversion.Result.Inverted.class, partial);
    }

    @Test
    void contradictsClaimsThatDoNotMatchTheTree() {
        Map<String, Cid> content = randomRepo(new Random(9), 30);
        MstBuilder.Built tree = MstBuilder.build(content);
        String key = content.keySet().iterator().next();
        Mst.Proof wrongValue = Mst.verify(tree, tree.root(), key, LEAF);
        assertEquals(Mst.ProofStatus.CONTRADICTED, wrongValue.status());
        assertEquals(Optional.of(content.get(key)), wrongValue.found());
        assertEquals(Mst.ProofStatus.CONTRADICTED, Mst.verify(tree, tree.root(), key, null).status());
        assertEquals(Mst.ProofStatus.CONTRADICTED, Mst.verify(tree, tree.root(), "app.bsky.x/y", LEAF).status());
    }

    @Test
    void rejectsMalformedNodes() {
        Cid sub = MstBuilder.build(Map.of("A0/374913", LEAF)).root();
        Cid raw = Cid.v1(Cid.RAW, Multihash.sha256(new byte[0]));
        assertMalformed(node(null, entry(0, "A0/374913", LEAF, null), entry(3, "000000", LEAF, null)),
                "not in ascending order");
        assertMalformed(node(null, entry(0, "A0/374913", LEAF, null), entry(1, "0/451630", LEAF, null)),
                "not the shared prefix length");
        assertMalformed(node(null, entry(1, "A0/374913", LEAF, null)), "longer than the previous key");
        assertMalformed(node(null, entry(0, "A0/374913", LEAF, null), entry(0, "A0/374913", LEAF, null)),
                "not the shared prefix length");
        assertMalformed(node(null, entry(0, "", LEAF, null)), "key is empty");
        assertMalformed(node(raw, entry(0, "B2/827649", LEAF, null)), "is not a dag-cbor sha2-256 CIDv1");
        assertMalformed(node(null, entry(0, "B2/827649", "not a link", null)), "value must be a link");
        assertMalformed(Map.of("e", List.of()), "lacks the \"l\" field");
        assertMalformed(Map.of("l", "x", "e", List.of()), "is not a link");
        assertMalformed(node(null, Map.of("p", 0L, "k", "A".getBytes(UTF_8), "v", LEAF)), "lacks the \"t\" field");
        assertMalformed(node(null, entry(0, "A0/374913", LEAF, null), entry(0, "B2/827649", LEAF, null)),
                "of depth 2");
        assertMalformed(node(null, entry(0, "A0/374913", LEAF, sub)), "at layer 0 has a subtree");
        assertMalformed(node(sub), "empty node that only points to a subtree");
        Map<String, Object> badUtf8 = new LinkedHashMap<>(entry(0, "A", LEAF, null));
        badUtf8.put("k", new byte[] {(byte) 0xff});
        assertMalformed(node(null, badUtf8), "not UTF-8");
        assertMalformed(List.of(), "not a map");
    }

    @Test
    void rejectsATreeWhoseSubtreeHoldsKeysOutsideItsRange() {
        // B2 (depth 2) on top; its right subtree must hold keys after B2, but this one holds A1 (depth 1).
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid wrongSide = put(blocks, node(null, entry(0, "A1/076595", LEAF, null)));
        Cid root = put(blocks, node(null, entry(0, "B2/827649", LEAF, wrongSide)));
        assertTrue(assertThrows(IpldException.class, () -> Mst.entries(BlockStore.of(blocks), root)).getMessage()
                .contains("outside the range"));
        assertInstanceOf(Mst.Lookup.Invalid.class, Mst.lookup(BlockStore.of(blocks), root, "C0/451630"));
        assertEquals(Mst.ProofStatus.INVALID, Mst.verify(BlockStore.of(blocks), root, "C0/451630", null).status());
        // A subtree one layer down that is empty and leads nowhere is not allowed either.
        Cid empty = put(blocks, node(null));
        Cid root2 = put(blocks, node(null, entry(0, "B1/986427", LEAF, empty)));
        assertTrue(assertThrows(IpldException.class, () -> Mst.entries(BlockStore.of(blocks), root2)).getMessage()
                .contains("empty and has no subtree"));
    }

    @Test
    void throwsMissingBlockFromWalkAndGetButNotFromLookup() {
        MstBuilder.Built tree = MstBuilder.build(randomRepo(new Random(2), 100));
        Map<Cid, byte[]> partial = new HashMap<>(tree.blocks());
        Cid removed = partial.keySet().stream().filter(cid -> !cid.equals(tree.root())).findFirst().orElseThrow();
        partial.remove(removed);
        MissingBlockException e = assertThrows(MissingBlockException.class,
                () -> Mst.entries(BlockStore.of(partial), tree.root()));
        assertEquals(removed, e.cid());
        boolean sawIncomplete = false;
        for (Mst.Entry entry : Mst.entries(tree, tree.root())) {
            Mst.Lookup lookup = Mst.lookup(BlockStore.of(partial), tree.root(), entry.key());
            if (lookup instanceof Mst.Lookup.Incomplete incomplete) {
                assertEquals(removed, incomplete.missingBlock());
                assertThrows(MissingBlockException.class, () -> Mst.get(BlockStore.of(partial), tree.root(),
                        entry.key()));
                sawIncomplete = true;
            } else {
                assertEquals(new Mst.Lookup.Found(entry.value()), lookup);
            }
        }
        assertTrue(sawIncomplete);
    }

    @Test
    void neverThrowsFromLookupOrInversionOnCorruptedNodes() {
        Random random = Fuzz.random();
        Map<String, Cid> content = randomRepo(random, 80);
        MstBuilder.Built tree = MstBuilder.build(content);
        List<Cid> cids = List.copyOf(tree.blocks().keySet());
        List<String> keys = List.copyOf(content.keySet());
        for (int round = 0; round < 2_000; round++) {
            Map<Cid, byte[]> corrupted = new HashMap<>(tree.blocks());
            Cid victim = cids.get(random.nextInt(cids.size()));
            byte[] block = corrupted.get(victim).clone();
            for (int m = 0; m < 1 + random.nextInt(3); m++) {
                block[random.nextInt(block.length)] = (byte) random.nextInt(256);
            }
            corrupted.put(victim, block);
            BlockStore store = BlockStore.of(corrupted);
            String key = keys.get(random.nextInt(keys.size()));
            assertFalse(Mst.lookup(store, tree.root(), key) == null);
            assertFalse(MstInversion.invert(store, tree.root(),
                    List.of(MstInversion.Op.create(key, content.get(key)))) == null);
            Fuzz.onlyIpldException(block, () -> Mst.entries(store, tree.root()));
        }
    }

    // --- helpers -----------------------------------------------------------------------------------------------

    private static List<String> after(ProofFixture fixture) {
        List<String> keys = new ArrayList<>(fixture.keys());
        keys.removeAll(fixture.dels());
        keys.addAll(fixture.adds());
        return keys;
    }

    private static Map<String, Cid> values(List<String> keys) {
        Map<String, Cid> map = new LinkedHashMap<>();
        keys.forEach(key -> map.put(key, LEAF));
        return map;
    }

    private static List<MstInversion.Op> ops(ProofFixture fixture) {
        List<MstInversion.Op> ops = new ArrayList<>();
        fixture.adds().forEach(key -> ops.add(MstInversion.Op.create(key, LEAF)));
        fixture.dels().forEach(key -> ops.add(MstInversion.Op.delete(key, LEAF)));
        return ops;
    }

    /** The fixture's proof blocks, taken from the tree we built (which must therefore contain them all). */
    private static Map<Cid, byte[]> proofBlocks(ProofFixture fixture, MstBuilder.Built after) {
        Map<Cid, byte[]> proof = new HashMap<>();
        for (String text : fixture.blocksInProof()) {
            Cid cid = Cid.parse(text);
            byte[] block = after.get(cid);
            assertTrue(block != null, "the reference proof block " + cid + " is a node of our tree");
            proof.put(cid, block);
        }
        return proof;
    }

    static Map<String, Cid> randomRepo(Random random, int size) {
        Map<String, Cid> content = new LinkedHashMap<>();
        String[] collections = {"app.bsky.feed.post", "app.bsky.feed.like", "app.bsky.graph.follow", "dev.atpin.pin"};
        while (content.size() < size) {
            String key = collections[random.nextInt(collections.length)] + "/"
                    + Long.toString(random.nextLong() >>> 4, 32);
            content.put(key, recordCid(random));
        }
        return content;
    }

    private static Cid recordCid(Random random) {
        byte[] record = new byte[8];
        random.nextBytes(record);
        return DagCbor.cid(record);
    }

    private static void assertInvalid(MstBuilder.Built tree, List<MstInversion.Op> ops, String reason) {
        MstInversion.Result result = MstInversion.invert(tree, tree.root(), ops);
        MstInversion.Result.Invalid invalid = assertInstanceOf(MstInversion.Result.Invalid.class, result);
        assertTrue(invalid.reason().contains(reason), invalid.reason());
    }

    private static Map<String, Object> entry(long prefix, String suffix, Object value, Cid right) {
        Map<String, Object> entry = new LinkedHashMap<>();
        entry.put("p", prefix);
        entry.put("k", suffix.getBytes(UTF_8));
        entry.put("v", value);
        entry.put("t", right);
        return entry;
    }

    @SafeVarargs
    private static Map<String, Object> node(Cid left, Map<String, Object>... entries) {
        Map<String, Object> node = new LinkedHashMap<>();
        node.put("l", left);
        node.put("e", List.of((Object[]) entries));
        return node;
    }

    private static Cid put(Map<Cid, byte[]> blocks, Object node) {
        byte[] block = DagCbor.encode(node);
        Cid cid = DagCbor.cid(block);
        blocks.put(cid, block);
        return cid;
    }

    private static void assertMalformed(Object node, String reason) {
        Map<Cid, byte[]> blocks = new HashMap<>();
        Cid root = put(blocks, node);
        IpldException e = assertThrows(IpldException.class, () -> Mst.entries(BlockStore.of(blocks), root));
        assertTrue(e.getMessage().contains(reason), e.getMessage());
        Mst.Lookup lookup = Mst.lookup(BlockStore.of(blocks), root, "A0/374913");
        assertInstanceOf(Mst.Lookup.Invalid.class, lookup);
        assertArrayEquals(blocks.get(root), DagCbor.encode(node));
    }
}
