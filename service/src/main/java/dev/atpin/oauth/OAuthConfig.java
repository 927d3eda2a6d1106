package dev.atpin.oauth;

import dev.atpin.oauth.client.ClientMode;
import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Logging in with an atproto account: our OAuth client and the dashboard session ({@code atpin.oauth.*}). */
@ConfigMapping(prefix = "atpin.oauth")
public interface OAuthConfig {

    /**
     * The service's public base URL, as browsers reach it: the redirect URI is {@code <public-url>/oauth/callback}
     * and, for the confidential client, the {@code client_id} is {@code <public-url>/oauth/client-metadata.json}.
     * Production needs {@code https://} with a real host name.
     */
    @WithDefault("http://127.0.0.1:8080")
    URI publicUrl();

    /**
     * {@code loopback} (the atproto development client: {@code http://localhost?redirect_uri=…&scope=…}, a
     * public client, for local runs and tests) or {@code confidential} (the production web client with its
     * metadata document, JWKS and {@code private_key_jwt}). Unset: {@code loopback} when {@link #publicUrl()}
     * is http on a loopback host, {@code confidential} otherwise.
     */
    Optional<ClientMode> mode();

    /** NSID of our pin record collection; we ask for {@code repo:<this>} to write and delete pin records. */
    @WithDefault("dev.atpin.pin")
    String pinCollection();

    /** NSID of the enrollment record collection; we ask for {@code repo:<this>} too. */
    @WithDefault("dev.atpin.enrollment")
    String enrollmentCollection();

    /** Also ask for {@code blob:*}{@code /*}: needed only when backups are uploaded as blobs into the user's repo. */
    @WithDefault("false")
    boolean blobScope();

    /** More scopes to ask for, appended as given (normally none: ask for the narrowest scopes that work). */
    Optional<List<String>> extraScopes();

    /**
     * Where the confidential client's ES256 signing keys live (PEM files, generated at first start when the
     * directory has none). Keep it out of git; every replica mounts the same keys. Rotate by adding a key.
     */
    @WithDefault(".atpin/oauth-keys")
    String keyDir();

    /** How long a dashboard session lasts after login. */
    @WithDefault("14d")
    Duration sessionTtl();

    /** How long a user has to complete sign-in at their PDS before the login attempt is dropped. */
    @WithDefault("10m")
    Duration loginTtl();

    /** Name of the dashboard session cookie. */
    @WithDefault("atpin_session")
    String cookieName();

    /**
     * Mark cookies {@code Secure}. Unset: secure unless {@link #publicUrl()} is plain http (local runs and
     * tests); browsers drop Secure cookies on http.
     */
    Optional<Boolean> secureCookies();

    /** Refresh the access token when it expires within this margin, rather than let a request fail. */
    @WithDefault("30s")
    Duration refreshMargin();

    /** How long a replica waits for another replica's refresh of the same session before giving up. */
    @WithDefault("15s")
    Duration refreshLockTimeout();

    /** How often expired login attempts and sessions are deleted. */
    @WithDefault("5m")
    Duration cleanupInterval();
}
