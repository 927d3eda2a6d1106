package dev.atpin.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.SafeHttpClient;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Locale;
import java.util.regex.Pattern;

/**
 * DID → DID document for the two methods atproto blesses (atproto.com/specs/did), with a short-lived cache.
 *
 * <ul>
 *   <li>{@code did:plc}: {@code GET <plc-url>/<did>} from the configured PLC directory;</li>
 *   <li>{@code did:web}: {@code GET https://<host>/.well-known/did.json}; hostname only, no path. A port is only
 *       valid for {@code localhost} ({@code did:web:localhost%3A1234}), which is fetched over http and only
 *       resolvable with {@code atpin.identity.allow-insecure-local}.</li>
 * </ul>
 *
 * All fetches go through {@link SafeHttpClient}. Documents are cached for {@link Settings#cacheTtl()};
 * {@link #refresh} fetches again, e.g. after a signature failed to verify with the cached key.
 */
public final class DidResolver {

    /**
     * @param plcUrl             the PLC directory, e.g. {@code https://plc.directory}
     * @param cacheTtl           how long a fetched document is used without fetching it again
     * @param cacheSize          documents kept at most
     * @param minRefreshInterval {@link #refresh} returns the cached document if it is younger than this, so a
     *                           stream of bad signatures cannot turn into a stream of fetches
     * @param failureTtl         how long a failed resolution is remembered: asking again within it fails at once,
     *                           without a fetch (anyone can send us a DID that does not resolve, as often as
     *                           they like)
     */
    public record Settings(URI plcUrl, Duration cacheTtl, long cacheSize, Duration minRefreshInterval,
                           Duration failureTtl) {

        public Settings(URI plcUrl, Duration cacheTtl, long cacheSize, Duration minRefreshInterval) {
            this(plcUrl, cacheTtl, cacheSize, minRefreshInterval, Duration.ofSeconds(30));
        }
    }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern WEB_HOST = Pattern.compile("^[a-zA-Z0-9.-]+$");

    private final SafeHttpClient http;
    private final Settings settings;
    private final Clock clock;
    private final Cache<Did, DidDocument> cache;
    private final Cache<Did, Failure> failures;

    /** A resolution that failed, and when. */
    private record Failure(IdentityException error, Instant at) {}

    public DidResolver(SafeHttpClient http, Settings settings) {
        this(http, settings, Clock.systemUTC());
    }

    DidResolver(SafeHttpClient http, Settings settings, Clock clock) {
        this.http = http;
        this.settings = settings;
        this.clock = clock;
        this.cache = Caffeine.newBuilder()
                .expireAfterWrite(settings.cacheTtl())
                .maximumSize(settings.cacheSize())
                .build();
        this.failures = Caffeine.newBuilder()
                .expireAfterWrite(settings.failureTtl())
                .maximumSize(settings.cacheSize())
                .build();
    }

    /**
     * The DID's document, from the cache when it is fresh enough.
     *
     * @throws IdentityException if the method is unsupported, the document cannot be fetched or is malformed
     */
    public DidDocument resolve(Did did) {
        DidDocument cached = cache.getIfPresent(did);
        if (cached != null) {
            return cached;
        }
        Failure failed = failures.getIfPresent(did);
        if (failed != null) {
            throw new IdentityException(failed.error().getMessage() + " (remembered: not fetched again yet)");
        }
        return fetchAndCache(did);
    }

    /** Whether {@link #resolve} would answer without a fetch (from the cache, or a remembered failure). */
    public boolean answersWithoutFetch(Did did) {
        return cache.getIfPresent(did) != null || failures.getIfPresent(did) != null;
    }

    /**
     * Fetches the document again, unless the cached one was fetched less than
     * {@link Settings#minRefreshInterval()} ago.
     */
    public DidDocument refresh(Did did) {
        DidDocument cached = cache.getIfPresent(did);
        if (cached != null
                && Duration.between(cached.fetchedAt(), clock.instant()).compareTo(settings.minRefreshInterval()) < 0) {
            return cached;
        }
        Failure failed = failures.getIfPresent(did);
        if (failed != null
                && Duration.between(failed.at(), clock.instant()).compareTo(settings.minRefreshInterval()) < 0) {
            throw new IdentityException(failed.error().getMessage() + " (remembered: not fetched again yet)");
        }
        return fetchAndCache(did);
    }

    private DidDocument fetchAndCache(Did did) {
        DidDocument doc;
        try {
            doc = fetch(did);
        } catch (IdentityException e) {
            failures.put(did, new Failure(e, clock.instant()));
            throw e;
        }
        failures.invalidate(did);
        cache.put(did, doc);
        return doc;
    }

    private DidDocument fetch(Did did) {
        URI url = documentUrl(did);
        SafeHttpClient.Response response;
        try {
            response = http.get(url, SafeHttpClient.Options.json());
        } catch (FetchException e) {
            throw new IdentityException("cannot resolve " + did + ": " + e.getMessage(), e);
        }
        if (response.status() == 404) {
            throw new IdentityException("cannot resolve " + did + ": no DID document at " + url);
        }
        if (response.status() == 410) {
            throw new IdentityException("cannot resolve " + did + ": the DID is deactivated (410 from " + url + ")");
        }
        if (!response.ok()) {
            throw new IdentityException("cannot resolve " + did + ": " + url + " answered " + response.status());
        }
        JsonNode doc;
        try {
            doc = JSON.readTree(response.body());
        } catch (IOException e) {
            throw new IdentityException("cannot resolve " + did + ": " + url + " did not answer with JSON", e);
        }
        return DidDocument.parse(did, doc, Instant.now(clock));
    }

    /** Where the document of {@code did} is fetched from. */
    URI documentUrl(Did did) {
        return switch (did.method()) {
            case "plc" -> {
                if (!did.isWellFormedPlc()) {
                    throw new IdentityException("not a valid did:plc: " + did);
                }
                yield URI.create(settings.plcUrl().toString().replaceAll("/+$", "") + "/" + did.value());
            }
            case "web" -> webDocumentUrl(did);
            default -> throw new IdentityException("unsupported DID method " + did.method() + " in " + did
                    + " (atproto uses did:plc and did:web)");
        };
    }

    private URI webDocumentUrl(Did did) {
        String id = did.identifier();
        if (id.contains(":")) {
            throw new IdentityException("did:web with a path is not valid in atproto: " + did);
        }
        String host = URLDecoder.decode(id, StandardCharsets.UTF_8);
        String port = "";
        int colon = host.indexOf(':');
        if (colon >= 0) {
            port = host.substring(colon + 1);
            host = host.substring(0, colon);
            if (!host.equalsIgnoreCase("localhost") || !port.matches("[0-9]{1,5}")) {
                throw new IdentityException("did:web may only carry a port for localhost: " + did);
            }
        }
        if (!WEB_HOST.matcher(host).matches()) {
            throw new IdentityException("did:web has an invalid host name: " + did);
        }
        if (isLocalhostWeb(did) && !http.allowsInsecureLocal()) {
            throw new IdentityException("cannot resolve " + did + ": did:web:localhost is for development only "
                    + "(atpin.identity.allow-insecure-local)");
        }
        String scheme = isLocalhostWeb(did) ? "http" : "https";
        return URI.create(scheme + "://" + host + (port.isEmpty() ? "" : ":" + port) + "/.well-known/did.json");
    }

    /** did:web:localhost is the form the DID spec keeps for testing; it is served over plain http. */
    private boolean isLocalhostWeb(Did did) {
        String id = did.identifier().toLowerCase(Locale.ROOT);
        return did.method().equals("web") && (id.equals("localhost") || id.startsWith("localhost%3a"));
    }
}
