package dev.atpin.identity;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Optional;

/** Resolving handles and DIDs, and fetching URLs users control ({@code atpin.identity.*}). */
@ConfigMapping(prefix = "atpin.identity")
public interface IdentityConfig {

    /** PLC directory that {@code did:plc} DIDs are resolved against. */
    @WithDefault("https://plc.directory")
    URI plcUrl();

    /**
     * Development only: lets identity fetches use plain http, any port and loopback addresses (a local PDS and
     * PLC), and resolve {@code .test} handles through {@link #devHandleResolver()}. Private and link-local
     * addresses stay refused. Never enable it on a service that users reach: it lets them make the service
     * fetch from its own host.
     */
    @WithDefault("false")
    boolean allowInsecureLocal();

    /**
     * Development only, honoured only with {@link #allowInsecureLocal()}: base URL of a PDS whose
     * {@code com.atproto.identity.resolveHandle} answers for {@code .test} handles, which DNS never resolves.
     */
    Optional<URI> devHandleResolver();

    /** Limits of every fetch of a user-controlled URL. */
    Http http();

    /** DNS TXT lookups of {@code _atproto.<handle>}. */
    Dns dns();

    /** The DID document cache. */
    DidCache didCache();

    interface Http {
        /** Time to open a connection. */
        @WithDefault("5s")
        Duration connectTimeout();

        /** Time for one whole fetch: address lookups, every redirect hop and the body. */
        @WithDefault("10s")
        Duration timeout();

        /** Largest response body read, in bytes (handle well-known files are capped lower, at 4 KiB). */
        @WithDefault("1048576")
        int maxResponseBytes();

        /** Redirects followed, each checked like the first URL. */
        @WithDefault("3")
        int maxRedirects();
    }

    interface Dns {
        /** Time to wait for each DNS server. */
        @WithDefault("3s")
        Duration timeout();

        /** DNS servers ({@code host} or {@code host:port}) to ask; the system's resolvers when unset. */
        Optional<List<String>> servers();
    }

    interface DidCache {
        /** How long a resolved DID document is used before it is fetched again. */
        @WithDefault("5m")
        Duration ttl();

        /** DID documents kept in memory at most. */
        @WithDefault("10000")
        long maxSize();

        /** A forced refresh (after a bad signature) reuses a document fetched less than this long ago. */
        @WithDefault("10s")
        Duration minRefreshInterval();

        /**
         * How long a DID that failed to resolve is answered "unresolvable" without another fetch (a forced
         * refresh fetches again after {@link #minRefreshInterval()}).
         */
        @WithDefault("30s")
        Duration failureTtl();
    }
}
