package dev.atpin.dispatch;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.Did;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.IdentityResolver;
import dev.atpin.identity.ResolvedIdentity;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.ipld.Cid;
import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Multihash;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import io.agroal.api.AgroalDataSource;
import jakarta.enterprise.context.ApplicationScoped;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The second route of the seed essay: when the network cannot deliver a CID but a pin record
 * carries the same bytes as an atproto blob, fetch the blob from the owner's PDS, import it into
 * Kubo with the record's import profile, and keep it only if the resulting root is the CID asked
 * for. The blob's own hash is checked too: neither the PDS nor the record is trusted.
 */
@ApplicationScoped
public class BackupRestorer {

    private static final Logger LOG = Logger.getLogger(BackupRestorer.class);
    private static final int MAX_BLOB_BYTES = 100 * 1024 * 1024;
    /** A blob of up to 100 MiB gets more time than the identity client's deadline for small documents. */
    private static final Duration BLOB_FETCH_TIMEOUT = Duration.ofMinutes(5);

    private final AgroalDataSource db;
    private final IdentityResolver identity;
    private final SafeHttpClient http;
    private final ObjectMapper json;

    BackupRestorer(AgroalDataSource db, IdentityResolver identity, SafeHttpClient http, ObjectMapper json) {
        this.db = db;
        this.identity = identity;
        this.http = http;
        this.json = json;
    }

    /** A backup some request for the content carries: whose repo, which blob, which import profile. */
    record Backup(String did, Cid blob, Map<String, String> addOptions, String profile) {}

    /**
     * Tries to rebuild {@code cid} on {@code kubo} from a backup blob.
     *
     * @return a note for the status details when the content is now on the node, empty when there
     *     is no usable backup (the caller goes on as without one)
     */
    public Optional<String> restore(String cid, KuboClient kubo) {
        Optional<Backup> backup;
        try {
            backup = backupFor(cid);
        } catch (SQLException e) {
            if (!Thread.currentThread().isInterrupted()) { // interrupted = shutting down
                LOG.warn("cannot read backups", e);
            }
            return Optional.empty();
        }
        if (backup.isEmpty()) {
            return Optional.empty();
        }
        Backup b = backup.get();
        java.nio.file.Path file = null;
        try {
            // The blob goes through a temp file, never the heap: up to MAX_BLOB_BYTES per restore, and many
            // workers may restore at once.
            file = java.nio.file.Files.createTempFile("atpin-blob-", ".bin");
            fetchBlob(b, file);
            String root = kubo.addFile(file, b.addOptions(), Duration.ofMinutes(5));
            if (!Cid.parse(root).normalized().equals(cid)) {
                LOG.infof("backup blob %s of %s imports as %s, not %s: not used", b.blob(), b.did(), root, cid);
                return Optional.empty();
            }
            // Every tenant that pins this content sees this note: it names the blob, never whose repo held it.
            String note = "restored from an atproto blob backup (" + b.blob() + ", " + b.profile() + " import)";
            LOG.infof("%s restored from the blob %s in %s's repo", cid, b.blob(), b.did());
            try (Connection c = db.getConnection();
                    PreparedStatement q = c.prepareStatement("update content set restored_from = ? where cid = ?")) {
                q.setString(1, note);
                q.setString(2, cid);
                q.executeUpdate();
            }
            return Optional.of(note);
        } catch (KuboException | IdentityException | IpldException | SQLException | BlobUnavailable
                | java.io.IOException e) {
            LOG.infof("could not restore %s from its backup blob: %s", cid, e.getMessage());
            return Optional.empty();
        } finally {
            deleteQuietly(file);
        }
    }

    private Optional<Backup> backupFor(String cid) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select did, backup::text from pin_request where cid = ? and backup is not null
                        order by created limit 1""")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return Optional.empty();
                }
                JsonNode backup = json.readTree(rs.getString(2));
                Map<String, String> options = json.convertValue(backup.path("addOptions"),
                        json.getTypeFactory().constructMapType(Map.class, String.class, String.class));
                return Optional.of(new Backup(rs.getString(1), Cid.parse(backup.path("blob").asText()), options,
                        backup.path("profile").asText()));
            } catch (java.io.IOException e) {
                throw new SQLException("corrupt backup column", e);
            }
        }
    }

    private static final class BlobUnavailable extends Exception {
        BlobUnavailable(String message) {
            super(message);
        }
    }

    private static void deleteQuietly(java.nio.file.Path file) {
        if (file != null) {
            try {
                java.nio.file.Files.deleteIfExists(file);
            } catch (java.io.IOException e) {
                LOG.debugf("could not delete %s: %s", file, e.getMessage());
            }
        }
    }

    /** Streams the blob into {@code file} and checks that its bytes hash to the blob's CID. */
    private void fetchBlob(Backup b, java.nio.file.Path file) throws BlobUnavailable, java.io.IOException {
        ResolvedIdentity who = identity.resolve(new Did(b.did()));
        if (who.pds() == null) {
            throw new BlobUnavailable("the DID document names no PDS");
        }
        URI url = URI.create(who.pds().toString().replaceAll("/$", "") + "/xrpc/com.atproto.sync.getBlob?did="
                + URLEncoder.encode(b.did(), StandardCharsets.UTF_8) + "&cid=" + b.blob());
        SafeHttpClient.Download response;
        try {
            response = http.download(url, new SafeHttpClient.Options(MAX_BLOB_BYTES, true, "*/*")
                    .withTimeout(BLOB_FETCH_TIMEOUT), file);
        } catch (RuntimeException e) {
            throw new BlobUnavailable("getBlob failed: " + e.getMessage());
        }
        if (!response.ok()) {
            throw new BlobUnavailable("getBlob answered " + response.status());
        }
        Cid actual = Cid.v1(Cid.RAW, new Multihash(Multihash.SHA2_256, sha256(file)));
        if (!actual.equals(b.blob().toV1()) && !actual.multihash().equals(b.blob().multihash())) {
            throw new BlobUnavailable("the PDS served bytes that do not hash to " + b.blob());
        }
    }

    private static byte[] sha256(java.nio.file.Path file) throws java.io.IOException {
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(file)) {
            java.security.MessageDigest digest = java.security.MessageDigest.getInstance("SHA-256");
            byte[] buffer = new byte[64 * 1024];
            for (int n; (n = in.read(buffer)) > 0; ) {
                digest.update(buffer, 0, n);
            }
            return digest.digest();
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
