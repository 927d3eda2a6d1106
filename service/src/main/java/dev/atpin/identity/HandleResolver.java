package dev.atpin.identity;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.UnsafeUrlException;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashSet;
import java.util.Optional;
import java.util.Set;
import org.jboss.logging.Logger;

/**
 * Handle → DID, per atproto.com/specs/handle: the DNS TXT record {@code _atproto.<handle>} ({@code did=<DID>})
 * first, then {@code https://<handle>/.well-known/atproto-did}. This is one direction only: a handle is the
 * account's only if its DID document claims it back ({@link IdentityResolver} checks that).
 *
 * <p>Handles under {@code .test} exist only in development: with {@code atpin.identity.allow-insecure-local}
 * and {@code atpin.identity.dev-handle-resolver} set, they are asked of that PDS's
 * {@code com.atproto.identity.resolveHandle}; otherwise they are refused like the reserved TLDs. Nothing else
 * changes with that setting: every other handle takes the normal path through {@link SafeHttpClient}.
 */
public final class HandleResolver {

    private static final Logger LOG = Logger.getLogger(HandleResolver.class);
    private static final ObjectMapper JSON = new ObjectMapper();
    // A DID is at most 2 KB; anything much larger is not an atproto-did file.
    private static final int MAX_WELL_KNOWN_BYTES = 4096;
    private static final String TXT_PREFIX = "did=";

    private final SafeHttpClient http;
    private final DnsTxtResolver dns;
    private final Optional<URI> devResolver;

    /**
     * @param devResolver base URL of a PDS that answers for {@code .test} handles; honoured only when
     *                    {@code http} allows insecure local access
     */
    public HandleResolver(SafeHttpClient http, DnsTxtResolver dns, Optional<URI> devResolver) {
        this.http = http;
        this.dns = dns;
        this.devResolver = devResolver;
    }

    /**
     * The DID this handle points to.
     *
     * @return empty when neither method gives a DID (no TXT record and no well-known file)
     * @throws IdentityException if the handle must not be resolved, the methods give conflicting or malformed
     *                           answers, or the well-known URL is refused as unsafe
     */
    public Optional<Did> resolve(Handle handle) {
        handle.unresolvableReason().ifPresent(reason -> {
            throw new IdentityException("handle " + handle + " cannot be resolved: " + reason);
        });
        if (handle.isTest()) {
            return resolveTestHandle(handle);
        }
        Optional<Did> fromDns = viaDns(handle);
        return fromDns.isPresent() ? fromDns : viaWellKnown(handle);
    }

    /** The DNS method alone. A lookup that fails (timeout, server error) counts as no answer. */
    public Optional<Did> viaDns(Handle handle) {
        Set<String> dids = new LinkedHashSet<>();
        try {
            for (String txt : dns.lookup("_atproto." + handle.value())) {
                if (txt.startsWith(TXT_PREFIX)) {
                    dids.add(txt.substring(TXT_PREFIX.length()).strip());
                }
            }
        } catch (IdentityException e) {
            LOG.debugf("DNS method for %s gave no answer: %s", handle, e.getMessage());
            return Optional.empty();
        }
        if (dids.size() > 1) {
            throw new IdentityException("handle " + handle + " has conflicting DIDs in DNS: " + dids);
        }
        if (dids.isEmpty()) {
            return Optional.empty();
        }
        String did = dids.iterator().next();
        if (!Did.isValid(did)) {
            throw new IdentityException("handle " + handle + " has a malformed DID in DNS: " + Handle.quote(did));
        }
        return Optional.of(new Did(did));
    }

    /** The HTTPS method alone. An unreachable host or a non-2xx answer counts as no answer. */
    public Optional<Did> viaWellKnown(Handle handle) {
        URI url = URI.create("https://" + handle.value() + "/.well-known/atproto-did");
        SafeHttpClient.Response response;
        try {
            response = http.get(url, SafeHttpClient.Options.text(MAX_WELL_KNOWN_BYTES));
        } catch (UnsafeUrlException e) {
            throw new IdentityException("handle " + handle + " cannot be resolved: " + e.getMessage(), e);
        } catch (FetchException e) {
            LOG.debugf("HTTPS method for %s gave no answer: %s", handle, e.getMessage());
            return Optional.empty();
        }
        if (!response.ok()) {
            return Optional.empty();
        }
        String body = response.text().strip();
        if (!Did.isValid(body)) {
            throw new IdentityException("handle " + handle + ": " + url + " does not hold a DID");
        }
        return Optional.of(new Did(body));
    }

    private Optional<Did> resolveTestHandle(Handle handle) {
        if (!http.allowsInsecureLocal() || devResolver.isEmpty()) {
            throw new IdentityException("handle " + handle + " cannot be resolved: the .test top-level domain is "
                    + "for development only (atpin.identity.allow-insecure-local and dev-handle-resolver)");
        }
        URI url = URI.create(devResolver.get().toString().replaceAll("/+$", "")
                + "/xrpc/com.atproto.identity.resolveHandle?handle="
                + URLEncoder.encode(handle.value(), StandardCharsets.UTF_8));
        SafeHttpClient.Response response;
        try {
            response = http.get(url, SafeHttpClient.Options.json());
        } catch (FetchException e) {
            throw new IdentityException("handle " + handle + " cannot be resolved: " + e.getMessage(), e);
        }
        if (response.status() == 400) {
            return Optional.empty(); // the PDS answers 400 "Unable to resolve handle"
        }
        try {
            JsonNode did = JSON.readTree(response.body()).path("did");
            if (!response.ok() || !Did.isValid(did.asText(null))) {
                throw new IdentityException("handle " + handle + ": " + url + " answered " + response.status()
                        + " without a DID");
            }
            return Optional.of(new Did(did.asText()));
        } catch (IOException e) {
            throw new IdentityException("handle " + handle + ": " + url + " answered invalid JSON", e);
        }
    }
}
