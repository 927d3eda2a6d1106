package dev.atpin.identity;

import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Multibase;
import dev.atpin.ipld.Varint;
import java.math.BigInteger;
import java.security.AlgorithmParameters;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.Provider;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.util.Arrays;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.bouncycastle.jce.spec.ECNamedCurveParameterSpec;
import org.bouncycastle.math.ec.ECPoint;

/**
 * An atproto signing key: a public key on P-256 or secp256k1, as DID documents and {@code did:key} carry them
 * (atproto.com/specs/cryptography).
 *
 * <p>Encodings read: {@code did:key:z…} and {@code Multikey} ({@code z} + base58btc of the multicodec varint
 * {@code 0x1200} p256-pub / {@code 0xe7} secp256k1-pub + the 33-byte compressed point), and the legacy DID
 * document form ({@code EcdsaSecp256r1VerificationKey2019} / {@code EcdsaSecp256k1VerificationKey2019}) whose
 * multibase holds the bare point, compressed or uncompressed (the reference PLC serves uncompressed ones).
 *
 * <p>Signatures are atproto's: ECDSA over SHA-256 of the bytes, 64 bytes {@code r || s}. DER is refused, and by
 * default so is a high-S signature (s &gt; n/2), which atproto treats as invalid because it is the malleable twin
 * of a valid one.
 */
public final class AtprotoKey {

    /** The two curves atproto uses. */
    public enum Curve {
        /** NIST P-256 (secp256r1), JWT alg ES256; verified with the JDK. */
        P256("ES256", 0x1200, "secp256r1", "EcdsaSecp256r1VerificationKey2019"),
        /** secp256k1, JWT alg ES256K; verified with BouncyCastle since the JDK dropped this curve. */
        K256("ES256K", 0xe7, "secp256k1", "EcdsaSecp256k1VerificationKey2019");

        private final String jwtAlg;
        private final int multicodec;
        private final String curveName;
        private final String legacyType;
        private final X9ECParameters params;
        private final BigInteger halfOrder;

        Curve(String jwtAlg, int multicodec, String curveName, String legacyType) {
            this.jwtAlg = jwtAlg;
            this.multicodec = multicodec;
            this.curveName = curveName;
            this.legacyType = legacyType;
            this.params = CustomNamedCurves.getByName(curveName);
            this.halfOrder = params.getN().shiftRight(1);
        }

        public String jwtAlg() {
            return jwtAlg;
        }

        /** The multicodec code of its compressed public key. */
        public int multicodec() {
            return multicodec;
        }

        /** The verification method type of the legacy DID document form. */
        public String legacyType() {
            return legacyType;
        }
    }

    // Only used as an explicit provider argument: registering it globally would change what every other
    // JCA lookup in the service picks.
    private static final Provider BOUNCY_CASTLE = new BouncyCastleProvider();
    private static final int COMPRESSED_LENGTH = 33;
    private static final int UNCOMPRESSED_LENGTH = 65;
    // Base58 decoding is quadratic: refuse absurd inputs before decoding (an uncompressed key is ~90 chars).
    private static final int MAX_ENCODED_LENGTH = 200;

    private final Curve curve;
    private final byte[] compressed;
    private final PublicKey publicKey;

    private AtprotoKey(Curve curve, ECPoint point) {
        this.curve = curve;
        this.compressed = point.getEncoded(true);
        this.publicKey = toJca(curve, point);
    }

    /** Reads {@code did:key:z…}. */
    public static AtprotoKey fromDidKey(String didKey) {
        if (didKey == null || !didKey.startsWith("did:key:")) {
            throw new IdentityException("not a did:key: " + Handle.quote(didKey));
        }
        return fromMultikey(didKey.substring("did:key:".length()));
    }

    /** Reads a {@code Multikey} {@code publicKeyMultibase}: multicodec-prefixed compressed point. */
    public static AtprotoKey fromMultikey(String multibase) {
        byte[] bytes = decodeMultibase(multibase);
        Varint.Decoded codec;
        try {
            codec = Varint.decode(bytes, 0);
        } catch (IpldException e) {
            throw new IdentityException("key " + Handle.quote(multibase) + " has no multicodec prefix", e);
        }
        Curve curve = switch ((int) codec.value()) {
            case 0x1200 -> Curve.P256;
            case 0xe7 -> Curve.K256;
            default -> throw new IdentityException("key " + Handle.quote(multibase) + " is of multicodec 0x"
                    + Long.toHexString(codec.value()) + ", not a P-256 or secp256k1 public key");
        };
        byte[] point = Arrays.copyOfRange(bytes, codec.length(), bytes.length);
        if (point.length != COMPRESSED_LENGTH) {
            throw new IdentityException("key " + Handle.quote(multibase) + " is not a 33-byte compressed point");
        }
        return fromPoint(curve, point);
    }

    /** Reads the legacy DID document form: the curve from the verification method type, the bare point. */
    public static AtprotoKey fromLegacy(String type, String multibase) {
        Curve curve = Arrays.stream(Curve.values()).filter(c -> c.legacyType.equals(type)).findFirst()
                .orElseThrow(() -> new IdentityException("unsupported verification method type " + Handle.quote(type)));
        return fromPoint(curve, decodeMultibase(multibase));
    }

    /** A SEC1-encoded point, compressed (33 bytes) or uncompressed (65 bytes), checked to be on the curve. */
    public static AtprotoKey fromPoint(Curve curve, byte[] encoded) {
        if (encoded.length != COMPRESSED_LENGTH && encoded.length != UNCOMPRESSED_LENGTH) {
            throw new IdentityException(curve + " public key has " + encoded.length + " bytes, expected 33 or 65");
        }
        try {
            ECPoint point = curve.params.getCurve().decodePoint(encoded);
            if (point.isInfinity() || !point.isValid()) {
                throw new IdentityException(curve + " public key is not a point on the curve");
            }
            return new AtprotoKey(curve, point.normalize());
        } catch (IllegalArgumentException e) {
            throw new IdentityException(curve + " public key is not a valid point: " + e.getMessage(), e);
        }
    }

    /** Wraps a JCA EC public key on P-256 or secp256k1 (e.g. a freshly generated one). */
    public static AtprotoKey fromPublicKey(PublicKey key) {
        if (!(key instanceof ECPublicKey ec)) {
            throw new IdentityException("not an EC public key: " + key.getAlgorithm());
        }
        BigInteger order = ec.getParams().getOrder();
        Curve curve = Arrays.stream(Curve.values()).filter(c -> c.params.getN().equals(order)).findFirst()
                .orElseThrow(() -> new IdentityException("EC key is on neither P-256 nor secp256k1"));
        byte[] point = new byte[UNCOMPRESSED_LENGTH];
        point[0] = 0x04;
        copyUnsigned(ec.getW().getAffineX(), point, 1);
        copyUnsigned(ec.getW().getAffineY(), point, 33);
        return fromPoint(curve, point);
    }

    public Curve curve() {
        return curve;
    }

    /** The key for JCA APIs: a SunEC key for P-256, a BouncyCastle key for secp256k1. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /** The 33-byte compressed point. */
    public byte[] compressed() {
        return compressed.clone();
    }

    /** The {@code Multikey} form, {@code z…}. */
    public String multikey() {
        byte[] codec = Varint.encode(curve.multicodec);
        byte[] bytes = new byte[codec.length + compressed.length];
        System.arraycopy(codec, 0, bytes, 0, codec.length);
        System.arraycopy(compressed, 0, bytes, codec.length, compressed.length);
        return Multibase.encode(Multibase.Base.BASE58BTC, bytes);
    }

    /** The {@code did:key:z…} form. */
    public String didKey() {
        return "did:key:" + multikey();
    }

    /** Verifies an atproto signature over {@code data}, refusing high-S signatures as the spec requires. */
    public boolean verify(byte[] data, byte[] signature) {
        return verify(data, signature, true);
    }

    /**
     * Verifies a 64-byte {@code r || s} ECDSA signature over SHA-256 of {@code data}.
     *
     * @param requireLowS refuse s &gt; n/2; pass {@code false} only for data known to be signed by software that
     *                    did not normalize (atproto itself requires low-S)
     * @return whether the signature is valid; malformed signatures (DER, wrong length) are simply invalid
     */
    public boolean verify(byte[] data, byte[] signature, boolean requireLowS) {
        if (signature == null || signature.length != 64) {
            return false;
        }
        BigInteger s = new BigInteger(1, Arrays.copyOfRange(signature, 32, 64));
        if (requireLowS && s.compareTo(curve.halfOrder) > 0) {
            return false;
        }
        try {
            Signature verifier = curve == Curve.P256
                    ? Signature.getInstance("SHA256withECDSAinP1363Format")
                    : Signature.getInstance("SHA256withPLAIN-ECDSA", BOUNCY_CASTLE);
            verifier.initVerify(publicKey);
            verifier.update(data);
            return verifier.verify(signature);
        } catch (java.security.SignatureException e) {
            return false; // e.g. r or s out of range
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("ECDSA " + curve + " is not available in this JVM", e);
        }
    }

    private static byte[] decodeMultibase(String multibase) {
        if (multibase == null || multibase.length() > MAX_ENCODED_LENGTH || !multibase.startsWith("z")) {
            throw new IdentityException("key " + Handle.quote(multibase) + " is not a base58btc multibase string");
        }
        try {
            return Multibase.decode(multibase);
        } catch (IpldException e) {
            throw new IdentityException("key " + Handle.quote(multibase) + " is not valid base58btc", e);
        }
    }

    private static PublicKey toJca(Curve curve, ECPoint point) {
        try {
            if (curve == Curve.P256) {
                AlgorithmParameters parameters = AlgorithmParameters.getInstance("EC");
                parameters.init(new ECGenParameterSpec(curve.curveName));
                java.security.spec.ECPoint w = new java.security.spec.ECPoint(
                        point.getAffineXCoord().toBigInteger(), point.getAffineYCoord().toBigInteger());
                return KeyFactory.getInstance("EC").generatePublic(
                        new java.security.spec.ECPublicKeySpec(w, parameters.getParameterSpec(ECParameterSpec.class)));
            }
            ECNamedCurveParameterSpec spec = new ECNamedCurveParameterSpec(curve.curveName, curve.params.getCurve(),
                    curve.params.getG(), curve.params.getN(), curve.params.getH());
            return KeyFactory.getInstance("EC", BOUNCY_CASTLE).generatePublic(
                    new org.bouncycastle.jce.spec.ECPublicKeySpec(point, spec));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot build a " + curve + " public key", e);
        }
    }

    private static void copyUnsigned(BigInteger value, byte[] out, int offset) {
        byte[] raw = value.toByteArray();
        int length = Math.min(raw.length, 32);
        System.arraycopy(raw, raw.length - length, out, offset + 32 - length, length);
    }

    @Override
    public boolean equals(Object o) {
        return o instanceof AtprotoKey other && curve == other.curve && Arrays.equals(compressed, other.compressed);
    }

    @Override
    public int hashCode() {
        return 31 * curve.hashCode() + Arrays.hashCode(compressed);
    }

    @Override
    public String toString() {
        return didKey();
    }
}
