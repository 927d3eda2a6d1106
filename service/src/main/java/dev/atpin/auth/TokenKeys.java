package dev.atpin.auth;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.interfaces.ECPrivateKey;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.HexFormat;

/**
 * The ES256 key pair that signs API tokens. Generated at first start into the key directory
 * (never in the repo); every replica must mount the same pair. The private key file alone is enough (PKCS#8 or
 * SEC1 PEM, see {@link EcPem}): the public key is then computed, which lets a Kubernetes Secret created by the
 * Helm chart ({@code genPrivateKey "ecdsa"}) be mounted read-only as the key directory.
 */
public final class TokenKeys {

    private static final String PRIVATE_FILE = "api-token-signing.key.pem";
    private static final String PUBLIC_FILE = "api-token-signing.pub.pem";

    private final PrivateKey privateKey;
    private final PublicKey publicKey;
    private final String keyId;

    private TokenKeys(KeyPair pair) {
        this.privateKey = pair.getPrivate();
        this.publicKey = pair.getPublic();
        this.keyId = keyIdOf(publicKey);
    }

    /** Loads the pair from {@code dir}, generating and saving a new one when there is none. */
    public static TokenKeys loadOrGenerate(Path dir) {
        try {
            Path priv = dir.resolve(PRIVATE_FILE);
            Path pub = dir.resolve(PUBLIC_FILE);
            if (Files.exists(priv)) {
                ECPrivateKey privateKey = EcPem.readP256PrivateKey(Files.readString(priv, StandardCharsets.US_ASCII));
                ECPublicKey computed = EcPem.publicKeyOf(privateKey);
                if (Files.exists(pub)) {
                    PublicKey stored = KeyFactory.getInstance("EC").generatePublic(new X509EncodedKeySpec(readPem(pub)));
                    if (!java.util.Arrays.equals(stored.getEncoded(), computed.getEncoded())) {
                        throw new GeneralSecurityException(PUBLIC_FILE + " is not the public half of " + PRIVATE_FILE);
                    }
                }
                return new TokenKeys(new KeyPair(computed, privateKey));
            }
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            KeyPair pair = generator.generateKeyPair();
            Files.createDirectories(dir);
            writePem(priv, "PRIVATE KEY", pair.getPrivate().getEncoded(), true);
            writePem(pub, "PUBLIC KEY", pair.getPublic().getEncoded(), false);
            return new TokenKeys(pair);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the token signing key in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("the token signing key in " + dir + " is unusable", e);
        }
    }

    public PrivateKey privateKey() {
        return privateKey;
    }

    public PublicKey publicKey() {
        return publicKey;
    }

    /** A stable id of the public key, sent as the JWT {@code kid} so keys can be rotated later. */
    public String keyId() {
        return keyId;
    }

    private static String keyIdOf(PublicKey key) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return HexFormat.of().formatHex(digest, 0, 8);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    private static byte[] readPem(Path file) throws IOException {
        String body = Files.readString(file, StandardCharsets.US_ASCII)
                .replaceAll("-----[A-Z ]+-----", "")
                .replaceAll("\\s", "");
        return Base64.getDecoder().decode(body);
    }

    private static void writePem(Path file, String type, byte[] der, boolean secret) throws IOException {
        String pem = "-----BEGIN " + type + "-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
                + "\n-----END " + type + "-----\n";
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, pem, StandardCharsets.US_ASCII);
        if (secret) {
            restrictToOwner(tmp);
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }

    static void restrictToOwner(Path file) throws IOException {
        try {
            Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
        } catch (UnsupportedOperationException e) {
            // not a POSIX file system: nothing more we can do
        }
    }
}
