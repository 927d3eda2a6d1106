package dev.atpin.auth;

import java.io.IOException;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.SECObjectIdentifiers;
import org.bouncycastle.asn1.x509.AlgorithmIdentifier;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.asn1.x9.X9ObjectIdentifiers;
import org.bouncycastle.crypto.ec.CustomNamedCurves;

/**
 * Reads P-256 private keys from PEM, in the two forms operators hand us: PKCS#8 ({@code BEGIN PRIVATE KEY},
 * what we generate and what {@code openssl genpkey} writes) and SEC1 ({@code BEGIN EC PRIVATE KEY}, what Helm's
 * {@code genPrivateKey "ecdsa"} and {@code openssl ecparam -genkey} write), so that the chart can create the keys
 * once and every replica mounts the same ones.
 */
public final class EcPem {

    private EcPem() {
    }

    /** The P-256 private key in {@code pem}; refuses other curves and other key types. */
    public static ECPrivateKey readP256PrivateKey(String pem) throws GeneralSecurityException {
        byte[] der;
        if (pem.contains("-----BEGIN EC PRIVATE KEY-----")) {
            der = sec1ToPkcs8(decode(pem));
        } else if (pem.contains("-----BEGIN PRIVATE KEY-----")) {
            der = decode(pem);
        } else {
            throw new GeneralSecurityException("not a PEM private key (BEGIN PRIVATE KEY or BEGIN EC PRIVATE KEY)");
        }
        if (!(KeyFactory.getInstance("EC").generatePrivate(new PKCS8EncodedKeySpec(der)) instanceof ECPrivateKey key)) {
            throw new GeneralSecurityException("not an EC private key");
        }
        if (key.getParams().getCurve().getField().getFieldSize() != 256
                || !key.getParams().getGenerator().getAffineX().equals(p256().getG().getAffineXCoord().toBigInteger())) {
            throw new GeneralSecurityException("not a P-256 key (ES256 needs P-256)");
        }
        return key;
    }

    /** Q = d·G: neither file form needs to carry the public key, so it is computed. */
    public static ECPublicKey publicKeyOf(ECPrivateKey privateKey) throws GeneralSecurityException {
        BigInteger d = privateKey.getS();
        org.bouncycastle.math.ec.ECPoint q = p256().getG().multiply(d).normalize();
        ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, privateKey.getParams()));
    }

    private static X9ECParameters p256() {
        return CustomNamedCurves.getByName("secp256r1");
    }

    private static byte[] decode(String pem) {
        return Base64.getDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
    }

    /** Wraps a SEC1 ECPrivateKey in the PKCS#8 envelope the JDK's key factory reads. */
    private static byte[] sec1ToPkcs8(byte[] sec1) throws GeneralSecurityException {
        try {
            org.bouncycastle.asn1.sec.ECPrivateKey inner = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(sec1);
            if (inner.getParametersObject() instanceof ASN1ObjectIdentifier curve
                    && !curve.equals(SECObjectIdentifiers.secp256r1)) {
                throw new GeneralSecurityException("not a P-256 key (ES256 needs P-256): curve " + curve);
            }
            // without the optional curve field, a key of another curve shows itself by its size
            BigInteger d = inner.getKey();
            if (d.signum() <= 0 || d.compareTo(p256().getN()) >= 0) {
                throw new GeneralSecurityException("not a P-256 key (ES256 needs P-256)");
            }
            AlgorithmIdentifier algorithm = new AlgorithmIdentifier(X9ObjectIdentifiers.id_ecPublicKey, SECObjectIdentifiers.secp256r1);
            return new PrivateKeyInfo(algorithm, inner).getEncoded();
        } catch (IOException | IllegalArgumentException e) {
            throw new GeneralSecurityException("unreadable SEC1 EC private key", e);
        }
    }
}
