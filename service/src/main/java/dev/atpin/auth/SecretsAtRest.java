package dev.atpin.auth;

import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.SecureRandom;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.Base64;
import java.util.HexFormat;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.Stream;
import javax.crypto.Cipher;
import javax.crypto.SecretKey;
import javax.crypto.spec.GCMParameterSpec;
import javax.crypto.spec.SecretKeySpec;

/**
 * Encrypts secrets we must keep in PostgreSQL (OAuth access and refresh tokens, DPoP private keys, PKCE
 * verifiers) with AES-256-GCM under a data key from the key directory ({@code atpin.auth.key-dir}), so that a
 * database dump, a backup or a read-only SQL injection does not hand out users' sessions. See
 * {@code docs/adr/0140-secrets-at-rest.md}.
 *
 * <p>A stored value is {@code enc:v1:<key id>:<base64url(12-byte nonce || ciphertext || tag)>}. The
 * associated data is the value's context (table, column and row id), so a ciphertext copied into another row
 * or column does not decrypt. Keys are files {@code data-keys/<key id>.key} (32 random bytes, base64); the
 * greatest key id encrypts, every key decrypts: rotate by adding a key. One is generated at first start.
 * Values without the prefix are read as they are: rows written before encryption stay readable until
 * they are rewritten encrypted.
 */
@ApplicationScoped
public class SecretsAtRest {

    static final String PREFIX = "enc:v1:";
    private static final String DIR = "data-keys";
    private static final int NONCE_BYTES = 12;
    private static final int TAG_BITS = 128;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final TreeMap<String, SecretKey> keys;

    @Inject
    SecretsAtRest(AuthConfig config) {
        this(Path.of(config.keyDir()));
    }

    /** For tests and tools: keys from {@code keyDir}, generated there when it has none. */
    public SecretsAtRest(Path keyDir) {
        this.keys = loadOrGenerate(keyDir.resolve(DIR));
    }

    /** The value as it is stored: encrypted under the current key, bound to {@code context}. */
    public String seal(String plaintext, String context) {
        if (plaintext == null) {
            return null;
        }
        Map.Entry<String, SecretKey> current = keys.lastEntry();
        byte[] nonce = new byte[NONCE_BYTES];
        RANDOM.nextBytes(nonce);
        try {
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.ENCRYPT_MODE, current.getValue(), new GCMParameterSpec(TAG_BITS, nonce));
            gcm.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            byte[] sealed = gcm.doFinal(plaintext.getBytes(StandardCharsets.UTF_8));
            byte[] out = new byte[nonce.length + sealed.length];
            System.arraycopy(nonce, 0, out, 0, nonce.length);
            System.arraycopy(sealed, 0, out, nonce.length, sealed.length);
            return PREFIX + current.getKey() + ":" + Base64.getUrlEncoder().withoutPadding().encodeToString(out);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("AES-GCM is not available in this JVM", e);
        }
    }

    /**
     * The plaintext of a stored value sealed for {@code context}; a value from before encryption comes back as
     * it is.
     *
     * @throws IllegalStateException if it was sealed under a key we do not have, for another context, or was
     *     tampered with
     */
    public String open(String stored, String context) {
        if (stored == null || !isSealed(stored)) {
            return stored;
        }
        String rest = stored.substring(PREFIX.length());
        int colon = rest.indexOf(':');
        SecretKey key = colon < 0 ? null : keys.get(rest.substring(0, colon));
        if (key == null) {
            throw new IllegalStateException("a stored secret was sealed under a data key that is not in the key "
                    + "directory (" + (colon < 0 ? "?" : rest.substring(0, colon)) + ")");
        }
        try {
            byte[] in = Base64.getUrlDecoder().decode(rest.substring(colon + 1));
            Cipher gcm = Cipher.getInstance("AES/GCM/NoPadding");
            gcm.init(Cipher.DECRYPT_MODE, key, new GCMParameterSpec(TAG_BITS, in, 0, NONCE_BYTES));
            gcm.updateAAD(context.getBytes(StandardCharsets.UTF_8));
            return new String(gcm.doFinal(in, NONCE_BYTES, in.length - NONCE_BYTES), StandardCharsets.UTF_8);
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            throw new IllegalStateException("a stored secret does not decrypt (wrong row, or tampered with)");
        }
    }

    public static boolean isSealed(String stored) {
        return stored != null && stored.startsWith(PREFIX);
    }

    private static TreeMap<String, SecretKey> loadOrGenerate(Path dir) {
        try {
            TreeMap<String, SecretKey> found = new TreeMap<>();
            if (Files.isDirectory(dir)) {
                try (Stream<Path> files = Files.list(dir)) {
                    for (Path file : files.filter(f -> f.getFileName().toString().endsWith(".key")).toList()) {
                        String name = file.getFileName().toString();
                        byte[] raw = Base64.getDecoder().decode(Files.readString(file, StandardCharsets.US_ASCII).strip());
                        if (raw.length != 32) {
                            throw new IllegalStateException(file + " is not a 256-bit key");
                        }
                        found.put(name.substring(0, name.length() - ".key".length()), new SecretKeySpec(raw, "AES"));
                    }
                }
            }
            if (found.isEmpty()) {
                byte[] raw = new byte[32];
                RANDOM.nextBytes(raw);
                byte[] suffix = new byte[4];
                RANDOM.nextBytes(suffix);
                // sortable: a key added later (rotation) is greater and becomes the one that encrypts
                String id = DateTimeFormatter.ofPattern("yyyyMMddHHmmss").format(ZonedDateTime.now(ZoneOffset.UTC))
                        + "-" + HexFormat.of().formatHex(suffix);
                Files.createDirectories(dir);
                Path tmp = dir.resolve(id + ".key.tmp");
                Files.writeString(tmp, Base64.getEncoder().encodeToString(raw) + "\n", StandardCharsets.US_ASCII);
                TokenKeys.restrictToOwner(tmp);
                Files.move(tmp, dir.resolve(id + ".key"), java.nio.file.StandardCopyOption.ATOMIC_MOVE);
                found.put(id, new SecretKeySpec(raw, "AES"));
            }
            return found;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read or write the data keys in " + dir, e);
        }
    }
}
