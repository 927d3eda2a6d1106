package dev.atpin.ipld;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RepoCommitTest {

    private static final String DID = "did:plc:kzcqyc3unb33eh5sxzsfs25z";
    private static final Cid DATA = Cid.parse("bafyreie5cvv4h45feadgeuwhbcutmh6t2ceseocckahdoe6uat64zmz454");
    private static final String REV = "3k67up3j7hf2x";

    @Test
    void signsAndVerifiesTheUnsignedBytesWithAP256Key() throws GeneralSecurityException {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair key = generator.generateKeyPair();
        RepoCommit unsigned = RepoCommit.unsigned(DID, DATA, REV, null);
        assertFalse(unsigned.isSigned());
        // atproto signatures are the 64-byte r‖s form, which is what P1363 format gives.
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        signer.initSign(key.getPrivate());
        signer.update(unsigned.unsignedBytes());
        RepoCommit signed = unsigned.sign(signer.sign());

        RepoCommit decoded = RepoCommit.decode(signed.block());
        assertEquals(DID, decoded.did());
        assertEquals(3, decoded.version());
        assertEquals(DATA, decoded.data());
        assertEquals(REV, decoded.rev());
        assertNull(decoded.prev());
        assertEquals(64, decoded.sig().length);
        assertEquals(signed.cid(), decoded.cid());
        assertArrayEquals(unsigned.unsignedBytes(), decoded.unsignedBytes());

        Signature verifier = Signature.getInstance("SHA256withECDSAinP1363Format");
        verifier.initVerify(key.getPublic());
        verifier.update(decoded.unsignedBytes());
        assertTrue(verifier.verify(decoded.sig()));
        assertArrayEquals(Multihash.sha256(decoded.unsignedBytes()).digest(), decoded.unsignedSha256());
    }

    @Test
    void encodesTheUnsignedCommitCanonicallyWithoutTheSignature() {
        RepoCommit commit = RepoCommit.unsigned(DID, DATA, REV, null).sign(new byte[] {1, 2, 3});
        String unsigned = HexFormat.of().formatHex(commit.unsignedBytes());
        // Five fields in canonical order: did, rev (3 bytes), data, prev (4), version (7).
        assertTrue(unsigned.startsWith("a5" + "63646964"), unsigned);
        int did = unsigned.indexOf("63646964");
        int rev = unsigned.indexOf("63726576");
        int data = unsigned.indexOf("6464617461");
        int prev = unsigned.indexOf("6470726576f6");
        int version = unsigned.indexOf("6776657273696f6e03");
        assertTrue(did < rev && rev < data && data < prev && prev < version, unsigned);
        assertFalse(unsigned.contains("63736967"), "no sig key");
        String signed = HexFormat.of().formatHex(commit.block());
        assertTrue(signed.startsWith("a6"), signed);
        assertTrue(signed.contains("63736967" + "43010203"), signed);
    }

    @Test
    void keepsUnknownFieldsInTheSignedBytesAndReordersKeysCanonically() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("version", 3L);
        fields.put("sig", new byte[64]);
        fields.put("prev", null);
        fields.put("rev", REV);
        fields.put("futureField", List.of("x"));
        fields.put("data", DATA);
        fields.put("did", DID);
        byte[] block = encodeInOrder(fields);
        RepoCommit commit = RepoCommit.decode(block);
        Map<String, Object> expected = new LinkedHashMap<>(fields);
        expected.remove("sig");
        assertArrayEquals(DagCbor.encode(expected), commit.unsignedBytes());
        assertEquals(List.of("x"), commit.fields().get("futureField"));
        assertArrayEquals(block, commit.block(), "the block is kept as received");
        assertEquals(DagCbor.cid(block), commit.cid());
    }

    @Test
    void acceptsACommitWithoutPrevAsIfItWereNull() {
        Map<String, Object> fields = commitFields();
        fields.remove("prev");
        RepoCommit commit = RepoCommit.decode(DagCbor.encode(fields));
        assertNull(commit.prev());
        assertFalse(HexFormat.of().formatHex(commit.unsignedBytes()).contains("6470726576"));
    }

    @Test
    void rejectsCommitsThatBreakTheRepositorySpec() {
        assertInvalid("version", 2L, "version must be 3");
        assertInvalid("version", null, "version must be 3");
        assertInvalid("did", "plc:abc", "did must be a DID");
        assertInvalid("did", 42L, "did must be a DID");
        assertInvalid("rev", "not-a-tid", "rev must be a TID");
        assertInvalid("rev", "3K67UP3J7HF2X", "rev must be a TID");
        assertInvalid("data", Cid.v1(Cid.RAW, DATA.multihash()), "data must be a dag-cbor sha2-256 CIDv1 link");
        assertInvalid("data", DATA.toString(), "data must be a dag-cbor sha2-256 CIDv1 link");
        assertInvalid("prev", "bafy", "prev must be null");
        assertInvalid("sig", new byte[0], "sig must be a non-empty byte string");
        assertInvalid("sig", "c2ln", "sig must be a non-empty byte string");
        Map<String, Object> noSig = commitFields();
        noSig.remove("sig");
        assertTrue(assertThrows(IpldException.class, () -> RepoCommit.decode(DagCbor.encode(noSig))).getMessage()
                .contains("sig must be"));
        assertEquals("invalid commit: not a map",
                assertThrows(IpldException.class, () -> RepoCommit.decode(DagCbor.encode(List.of()))).getMessage());
        assertTrue(assertThrows(IpldException.class, () -> RepoCommit.decode(new byte[] {(byte) 0xff}))
                .getMessage().startsWith("invalid commit: invalid DAG-CBOR"));
        assertThrows(IllegalStateException.class, () -> RepoCommit.unsigned(DID, DATA, REV, null).block());
        assertThrows(IpldException.class, () -> RepoCommit.unsigned(DID, DATA, "bad", null));
    }

    private static Map<String, Object> commitFields() {
        Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("did", DID);
        fields.put("version", 3L);
        fields.put("data", DATA);
        fields.put("rev", REV);
        fields.put("prev", null);
        fields.put("sig", new byte[64]);
        return fields;
    }

    private static void assertInvalid(String field, Object value, String message) {
        Map<String, Object> fields = commitFields();
        fields.put(field, value);
        IpldException e = assertThrows(IpldException.class, () -> RepoCommit.decode(DagCbor.encode(fields)));
        assertTrue(e.getMessage().startsWith("invalid commit: " + message), e.getMessage());
    }

    /** DAG-CBOR with the keys in the map's order rather than canonical order, as a careless writer might emit. */
    private static byte[] encodeInOrder(Map<String, Object> fields) {
        java.io.ByteArrayOutputStream out = new java.io.ByteArrayOutputStream();
        out.write(0xa0 | fields.size());
        fields.forEach((key, value) -> {
            out.writeBytes(DagCbor.encode(key));
            out.writeBytes(DagCbor.encode(value));
        });
        return out.toByteArray();
    }
}
