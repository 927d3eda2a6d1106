package dev.atpin.oauth.client;

import com.nimbusds.jose.JOSEException;
import dev.atpin.auth.EcPem;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.Curve;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jose.jwk.KeyUse;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.interfaces.ECPrivateKey;
import java.security.spec.ECGenParameterSpec;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * The confidential client's ES256 keys: every {@code *.key.pem} (P-256 private key, PKCS#8 as
 * {@code openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256} writes it, or SEC1 as Helm's
 * {@code genPrivateKey "ecdsa"} does; see {@link EcPem}) in the key directory.
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
        try {
            ECPrivateKey privateKey = EcPem.readP256PrivateKey(Files.readString(file, StandardCharsets.US_ASCII));
            ECKey withoutId = new ECKey.Builder(Curve.P_256, EcPem.publicKeyOf(privateKey)).privateKey(privateKey).build();
            return new ECKey.Builder(withoutId)
                    .keyID(withoutId.computeThumbprint().toString())
                    .keyUse(KeyUse.SIGNATURE)
                    .algorithm(JWSAlgorithm.ES256)
                    .build();
        } catch (GeneralSecurityException | JOSEException e) {
            throw new IllegalStateException(file + " does not hold a usable P-256 private key: " + e.getMessage(), e);
        }
    }
}
