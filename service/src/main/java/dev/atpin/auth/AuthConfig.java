package dev.atpin.auth;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/** API tokens ({@code atpin.auth.*}). */
@ConfigMapping(prefix = "atpin.auth")
public interface AuthConfig {

    /**
     * Directory holding the token signing key pair; generated at first start when missing. Keep it
     * out of git (the default is under the git-ignored {@code .atpin/}); in Kubernetes mount a Secret.
     */
    @WithDefault(".atpin/keys")
    String keyDir();

    /** The {@code iss} of the tokens we mint, normally the service's public URL. */
    @WithDefault("atpin")
    String issuer();

    /** How long a revocation may take to be seen by every replica (the jti cache's lifetime). */
    @WithDefault("10s")
    Duration revocationCacheTtl();

    /**
     * Most live (neither revoked nor expired) API tokens one account may hold. Each token has its own rate
     * limit, so this also bounds what one account can send.
     */
    @WithDefault("50")
    int maxTokensPerAccount();

    /** Local runs only: mint a token for this DID at start and write it to {@link #devTokenFile()}. */
    Optional<String> devTokenDid();

    /** Where the local-run token is written (mode 600). */
    @WithDefault(".atpin/dev-token")
    String devTokenFile();
}
