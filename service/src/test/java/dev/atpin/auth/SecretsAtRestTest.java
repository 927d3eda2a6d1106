package dev.atpin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;

/** The AES-GCM envelope for secrets kept in PostgreSQL. */
class SecretsAtRestTest {

    @Test
    void aSealedValueOpensOnlyForItsOwnRowAndColumn() throws Exception {
        Path dir = Files.createTempDirectory("atpin-keys-");
        SecretsAtRest secrets = new SecretsAtRest(dir);
        String sealed = secrets.seal("access-token-123", "oauth_session.access_token:row-1");
        assertThat(sealed).startsWith("enc:v1:").doesNotContain("access-token-123");
        assertThat(secrets.seal("access-token-123", "oauth_session.access_token:row-1")).as("fresh nonce").isNotEqualTo(sealed);
        assertThat(secrets.open(sealed, "oauth_session.access_token:row-1")).isEqualTo("access-token-123");
        // copied into another row or column, it does not open
        assertThatThrownBy(() -> secrets.open(sealed, "oauth_session.access_token:row-2"))
                .isInstanceOf(IllegalStateException.class).hasMessageNotContaining("access-token-123");
        assertThatThrownBy(() -> secrets.open(sealed, "oauth_session.refresh_token:row-1"))
                .isInstanceOf(IllegalStateException.class);
        // rows from before encryption stay readable
        assertThat(secrets.open("plain-legacy-token", "oauth_session.access_token:row-1")).isEqualTo("plain-legacy-token");
        assertThat(secrets.seal(null, "x")).isNull();
    }

    @Test
    void theKeyIsGeneratedOnceOwnerOnlyAndAnAddedKeyTakesOverWhileOldOnesStillOpen() throws Exception {
        Path dir = Files.createTempDirectory("atpin-keys-");
        String old = new SecretsAtRest(dir).seal("v", "c");
        List<Path> keys;
        try (var files = Files.list(dir.resolve("data-keys"))) {
            keys = files.toList();
        }
        assertThat(keys).hasSize(1);
        assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.getFirst()))).isEqualTo("rw-------");
        // a restart reads the same key
        assertThat(new SecretsAtRest(dir).open(old, "c")).isEqualTo("v");
        // rotation: a key with a greater id seals from now on
        Files.writeString(dir.resolve("data-keys/99990101000000-rotated.key"),
                java.util.Base64.getEncoder().encodeToString(new byte[32]));
        SecretsAtRest rotated = new SecretsAtRest(dir);
        assertThat(rotated.seal("v", "c")).startsWith("enc:v1:99990101000000-rotated:");
        assertThat(rotated.open(old, "c")).isEqualTo("v");
        // without the key, a value does not open (and says why without the value)
        assertThatThrownBy(() -> new SecretsAtRest(Files.createTempDirectory("atpin-other-")).open(old, "c"))
                .hasMessageContaining("not in the key directory");
    }
}
