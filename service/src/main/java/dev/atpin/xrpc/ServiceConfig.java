package dev.atpin.xrpc;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** Who this service is in the atproto network ({@code atpin.service.*}). */
@ConfigMapping(prefix = "atpin.service")
public interface ServiceConfig {

    /**
     * Our service DID: the {@code did:web} of our public host, published at {@code /.well-known/did.json}.
     * Service-auth JWTs must name it as {@code aud}; enrollment records must name it as {@code service}.
     */
    @WithDefault("did:web:localhost")
    String did();

    /** Our public base URL, the service endpoint in our DID document. */
    @WithDefault("http://127.0.0.1:8080")
    String publicUrl();

    /** Service-auth JWTs may not be valid for longer than this (they are meant to be short-lived). */
    @WithDefault("10m")
    Duration serviceAuthMaxLifetime();
}
