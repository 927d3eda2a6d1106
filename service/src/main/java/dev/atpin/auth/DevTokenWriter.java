package dev.atpin.auth;

import io.quarkus.runtime.StartupEvent;
import jakarta.enterprise.event.Observes;
import jakarta.inject.Singleton;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Local runs only ({@code atpin.auth.dev-token-did} set): mints a token at start and writes it to
 * a file readable by its owner alone, so a newcomer can use the API at once. Never logged.
 */
@Singleton
public class DevTokenWriter {

    private static final Logger LOG = Logger.getLogger(DevTokenWriter.class);

    void onStart(@Observes StartupEvent event, AuthConfig config, TokenService tokens) {
        Optional<String> did = config.devTokenDid().filter(d -> !d.isBlank());
        if (did.isEmpty()) {
            return;
        }
        Path file = Path.of(config.devTokenFile());
        try {
            if (file.getParent() != null) {
                Files.createDirectories(file.getParent());
            }
            TokenService.Minted minted = tokens.mint(did.get(), "local development", Set.of(Scope.READ, Scope.WRITE),
                    Optional.empty());
            Files.deleteIfExists(file);
            Files.createFile(file);
            TokenKeys.restrictToOwner(file);
            Files.writeString(file, minted.token() + "\n");
            LOG.infof("Wrote a local development API token for %s to %s", did.get(), file.toAbsolutePath());
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the development token to " + file, e);
        }
    }
}
