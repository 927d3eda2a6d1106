package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.AtprotoKey.Curve;
import dev.atpin.ipld.Base58;
import dev.atpin.ipld.Multibase;
import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Arrays;
import java.util.Base64;
import java.util.HexFormat;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/** atproto signing keys: the interop vectors, the legacy DID document form, and freshly generated keys. */
class AtprotoKeyTest {

    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void interopSignatureVectorsVerifyExactlyWhenTheyAreValid() throws Exception {
        JsonNode vectors = JSON.readTree(InteropVectors.read("signature-fixtures.json"));
        assertThat(vectors).hasSize(6);
        for (JsonNode v : vectors) {
            byte[] message = Base64.getDecoder().decode(v.path("messageBase64").asText());
            byte[] signature = Base64.getDecoder().decode(v.path("signatureBase64").asText());
            AtprotoKey key = AtprotoKey.fromDidKey(v.path("publicKeyDid").asText());
            assertThat(key.curve().jwtAlg()).isEqualTo(v.path("algorithm").asText());
            // the same key in the legacy DID document form: bare compressed point
            AtprotoKey legacy = AtprotoKey.fromLegacy(v.path("didDocSuite").asText(),
                    v.path("publicKeyMultibase").asText());
            assertThat(legacy).isEqualTo(key);
            assertThat(key.verify(message, signature)).as(v.path("comment").asText())
                    .isEqualTo(v.path("validSignature").asBoolean());
        }
    }

    @Test
    void highSSignaturesAreOnlyAcceptedWhenLowSIsNotRequired() throws Exception {
        for (JsonNode v : JSON.readTree(InteropVectors.read("signature-fixtures.json"))) {
            if (!v.path("tags").toString().contains("high-s")) {
                continue;
            }
            AtprotoKey key = AtprotoKey.fromDidKey(v.path("publicKeyDid").asText());
            byte[] message = Base64.getDecoder().decode(v.path("messageBase64").asText());
            byte[] signature = Base64.getDecoder().decode(v.path("signatureBase64").asText());
            assertThat(key.verify(message, signature, true)).isFalse();
            assertThat(key.verify(message, signature, false)).isTrue();
        }
    }

    @Test
    void didKeysOfTheK256VectorsMatchTheirPrivateKeys() throws Exception {
        JsonNode vectors = JSON.readTree(InteropVectors.read("w3c_didkey_K256.json"));
        assertThat(vectors).hasSize(5);
        for (JsonNode v : vectors) {
            byte[] d = HexFormat.of().parseHex(v.path("privateKeyBytesHex").asText());
            AtprotoKey derived = publicOf(Curve.K256, d);
            assertThat(derived.didKey()).isEqualTo(v.path("publicDidKey").asText());
            assertThat(AtprotoKey.fromDidKey(v.path("publicDidKey").asText())).isEqualTo(derived);
        }
    }

    @Test
    void didKeyOfTheP256VectorMatchesItsPrivateKey() throws Exception {
        JsonNode v = JSON.readTree(InteropVectors.read("w3c_didkey_P256.json")).get(0);
        AtprotoKey derived = publicOf(Curve.P256, Base58.decode(v.path("privateKeyBytesBase58").asText()));
        assertThat(derived.didKey()).isEqualTo(v.path("publicDidKey").asText());
        AtprotoKey parsed = AtprotoKey.fromDidKey(v.path("publicDidKey").asText());
        assertThat(parsed.curve()).isEqualTo(Curve.P256);
        assertThat(parsed.publicKey().getAlgorithm()).isEqualTo("EC");
    }

    @Test
    void theLegacyFormAcceptsAnUncompressedPointAsTheReferencePlcServesIt() {
        AtprotoKey key = AtprotoKey.fromDidKey("did:key:zQ3shqwJEJyMBsBXCWyCBpUBMqxcon9oHB7mCvx4sSpMdLJwc");
        byte[] uncompressed = uncompressed(key);
        AtprotoKey legacy = AtprotoKey.fromLegacy("EcdsaSecp256k1VerificationKey2019",
                Multibase.encode(Multibase.Base.BASE58BTC, uncompressed));
        assertThat(legacy).isEqualTo(key);
        assertThat(legacy.compressed()).hasSize(33);
    }

    @Test
    void generatedP256KeysSignAndVerifyThroughTheirDidKey() throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec("secp256r1"));
        KeyPair pair = generator.generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withECDSAinP1363Format");
        assertRoundTrip(pair, signer, Curve.P256);
    }

    @Test
    void generatedK256KeysSignAndVerifyThroughTheirDidKey() throws Exception {
        BouncyCastleProvider bc = new BouncyCastleProvider();
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC", bc);
        generator.initialize(new ECGenParameterSpec("secp256k1"));
        KeyPair pair = generator.generateKeyPair();
        Signature signer = Signature.getInstance("SHA256withPLAIN-ECDSA", bc);
        assertRoundTrip(pair, signer, Curve.K256);
    }

    @Test
    void malformedKeysAreRefusedWithAReason() {
        assertThatThrownBy(() -> AtprotoKey.fromDidKey("did:web:example.com"))
                .isInstanceOf(IdentityException.class).hasMessageContaining("not a did:key");
        // ed25519 (0xed) is a valid did:key, but not an atproto signing key
        String ed25519 = Multibase.encode(Multibase.Base.BASE58BTC, concat(new byte[] {(byte) 0xed, 0x01}, new byte[32]));
        assertThatThrownBy(() -> AtprotoKey.fromMultikey(ed25519))
                .isInstanceOf(IdentityException.class).hasMessageContaining("multicodec 0xed");
        byte[] offCurve = new byte[33];
        offCurve[0] = 0x02;
        offCurve[32] = 5;
        String bad = Multibase.encode(Multibase.Base.BASE58BTC, concat(new byte[] {(byte) 0xe7, 0x01}, offCurve));
        assertThatThrownBy(() -> AtprotoKey.fromMultikey(bad)).isInstanceOf(IdentityException.class);
        assertThatThrownBy(() -> AtprotoKey.fromLegacy("Ed25519VerificationKey2020", "z6Mk"))
                .isInstanceOf(IdentityException.class).hasMessageContaining("unsupported verification method type");
        assertThatThrownBy(() -> AtprotoKey.fromMultikey("z" + "1".repeat(500)))
                .isInstanceOf(IdentityException.class);
    }

    @Test
    void signaturesOfTheWrongLengthOrOverOtherDataAreInvalid() throws Exception {
        JsonNode v = JSON.readTree(InteropVectors.read("signature-fixtures.json")).get(1);
        AtprotoKey key = AtprotoKey.fromDidKey(v.path("publicKeyDid").asText());
        byte[] message = Base64.getDecoder().decode(v.path("messageBase64").asText());
        byte[] signature = Base64.getDecoder().decode(v.path("signatureBase64").asText());
        assertThat(key.verify(message, signature)).isTrue();
        assertThat(key.verify("other".getBytes(), signature)).isFalse();
        assertThat(key.verify(message, Arrays.copyOf(signature, 63))).isFalse();
        assertThat(key.verify(message, new byte[64])).isFalse();
    }

    private static void assertRoundTrip(KeyPair pair, Signature signer, Curve curve) throws Exception {
        byte[] data = "a commit".getBytes();
        signer.initSign(pair.getPrivate());
        signer.update(data);
        byte[] signature = lowS(curve, signer.sign());
        AtprotoKey key = AtprotoKey.fromDidKey(AtprotoKey.fromPublicKey(pair.getPublic()).didKey());
        assertThat(key.curve()).isEqualTo(curve);
        assertThat(key.didKey()).startsWith(curve == Curve.P256 ? "did:key:zDn" : "did:key:zQ3s");
        assertThat(key.verify(data, signature)).isTrue();
        assertThat(key.verify("tampered".getBytes(), signature)).isFalse();
    }

    /** atproto signers normalize s to the lower half; JCA signers do not. */
    private static byte[] lowS(Curve curve, byte[] signature) {
        X9ECParameters params = CustomNamedCurves.getByName(curve == Curve.P256 ? "secp256r1" : "secp256k1");
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        if (s.compareTo(params.getN().shiftRight(1)) > 0) {
            byte[] low = params.getN().subtract(s).toByteArray();
            byte[] out = signature.clone();
            Arrays.fill(out, 32, 64, (byte) 0);
            int n = Math.min(low.length, 32);
            System.arraycopy(low, low.length - n, out, 64 - n, n);
            return out;
        }
        return signature;
    }

    private static AtprotoKey publicOf(Curve curve, byte[] privateKey) {
        X9ECParameters params = CustomNamedCurves.getByName(curve == Curve.P256 ? "secp256r1" : "secp256k1");
        byte[] point = params.getG().multiply(new BigInteger(1, privateKey)).normalize().getEncoded(true);
        return AtprotoKey.fromPoint(curve, point);
    }

    private static byte[] uncompressed(AtprotoKey key) {
        X9ECParameters params = CustomNamedCurves.getByName("secp256k1");
        return params.getCurve().decodePoint(key.compressed()).getEncoded(false);
    }

    private static byte[] concat(byte[] a, byte[] b) {
        byte[] out = Arrays.copyOf(a, a.length + b.length);
        System.arraycopy(b, 0, out, a.length, b.length);
        return out;
    }
}
