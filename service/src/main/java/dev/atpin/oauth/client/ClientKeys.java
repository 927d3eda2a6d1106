package dev.atpin.oauth.client;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.PKCS8EncodedKeySpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.bouncycastle.asn1.x9.X9ECParameters;
import org.bouncycastle.crypto.ec.CustomNamedCurves;

/**
 * The confidential client's ES256 keys: every {@code *.key.pem} (PKCS#8 P-256 private key, the form
 * {@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256} writes) in the key directory.
 *
 * <p>All of them are published in our JWKS; the one whose file name sorts last signs new assertions. Rotation is
 * therefore "add a key": drop a newer file in (generated files are named by their UTC creation time), restart,
 * and remove the old one once no session signed with it is still alive. A session keeps using the key it was
 * created with while that key is present, because authorization servers may bind a session to the key that
 * authenticated it. When the directory holds no key, one is generated at first start (mode 600), never in git.
 *
 * <p>The key id is the key's RFC 7638 thumbprint, so it is stable across restarts and replicas.
 */
public final class ClientKeys {

    private static final String SUFFIX = ".key.pem";
    private static final DateTimeFormatter NAME = DateTimeFormatter.ofPattern("yyyyMMdd'T'HHmmss'Z'");

    private final List<ECKey> keys; // signing key first

    private ClientKeys(List<ECKey> keys) {
        this.keys = List.copyOf(keys);
    }

    /** Loads every key in {@code dir}, generating one first when there is none. */
    public static ClientKeys loadOrGenerate(Path dir) {
        try {
            Files.createDirectories(dir);
            if (listKeyFiles(dir).isEmpty()) {
                generateInto(dir);
            }
            List<ECKey> keys = new ArrayList<>();
            for (Path file : listKeyFiles(dir).reversed()) {
                keys.add(read(file));
            }
            return new ClientKeys(keys);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the OAuth client keys in " + dir, e);
        }
    }

    /** Writes a new key file into {@code dir} and returns its path; it signs from the next start on. */
    public static Path generateInto(Path dir) throws IOException {
        try {
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            // client-<UTC time>-<nn>: names sort in creation order, also for two keys made in the same second
            String base = "client-" + NAME.format(ZonedDateTime.now(ZoneOffset.UTC));
            Path file = dir.resolve(base + "-01" + SUFFIX);
            for (int i = 2; Files.exists(file); i++) {
                file = dir.resolve(base + "-%02d".formatted(i) + SUFFIX);
            }
            String pem = "-----BEGIN PRIVATE KEY-----\n"
                    + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                            .encodeToString(pair.getPrivate().getEncoded())
                    + "\n-----END PRIVATE KEY-----\n";
            Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
            Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: nothing more we can do
            }
            Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE);
            return file;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("P-256 is not available in this JVM", e);
        }
    }

    /** The key new assertions are signed with. */
    public ECKey signingKey() {
        return keys.getFirst();
    }

    /** The key with this id, if it is still in the directory. */
    public Optional<ECKey> byId(String keyId) {
        return keys.stream().filter(k -> k.getKeyID().equals(keyId)).findFirst();
    }

    /** What {@code /oauth/jwks.json} serves: the public halves of every key. */
    public JWKSet publicJwks() {
        return new JWKSet(keys.stream().map(k -> (com.nimbusds.jose.jwk.JWK) k.toPublicJWK()).toList());
    }

    private static List<Path> listKeyFiles(Path dir) throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            return files.filter(f -> f.getFileName().toString().endsWith(SUFFIX))
                    .sorted(Comparator.comparing(f -> f.getFileName().toString()))
                    .toList();
        }
    }

    private static ECKey read(Path file) throws IOException {
        String body = Files.readString(file, StandardCharsets.US_ASCII);
        if (!body.contains("-----BEGIN PRIVATE KEY-----")) {
            throw new IllegalStateException(file + " is not a PKCS#8 PEM private key (BEGIN PRIVATE KEY)");
        }
        byte[] der = Base64.getDecoder().decode(body.replaceAll("-----[A-Z ]+-----", "").replaceAll("\\s", ""));
        try {
            ECPrivateKey privateKey = (ECPrivateKey) KeyFactory.getInstance("EC")
                    .generatePrivate(new PKCS8EncodedKeySpec(der));
            if (privateKey.getParams().getCurve().getField().getFieldSize() != 256
                    || !Curve.forECParameterSpec(privateKey.getParams()).equals(Curve.P_256)) {
                throw new IllegalStateException(file + " is not a P-256 key (ES256 needs P-256)");
            }
            ECKey withoutId = new ECKey.Builder(Curve.P_256, publicKeyOf(privateKey)).privateKey(privateKey).build();
            return new ECKey.Builder(withoutId)
                    .keyID(withoutId.computeThumbprint().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .build();
        } catch (GeneralSecurityException | ClassCastException | JOSEException e) {
            throw new IllegalStateException(file + " does not hold a usable EC private key", e);
        }
    }

    /** Q = d·G: a PKCS#8 file need not carry the public key, so it is computed. */
    private static ECPublicKey publicKeyOf(ECPrivateKey privateKey) throws GeneralSecurityException {
        X9ECParameters curve = CustomNamedCurves.getByName("secp256r1");
        BigInteger d = privateKey.getS();
        org.bouncycastle.math.ec.ECPoint q = curve.getG().multiply(d).normalize();
        ECPoint w = new ECPoint(q.getAffineXCoord().toBigInteger(), q.getAffineYCoord().toBigInteger());
        return (ECPublicKey) KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, privateKey.getParams()));
    }
}
