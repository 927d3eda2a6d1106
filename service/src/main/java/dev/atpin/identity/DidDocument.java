package dev.atpin.identity;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URI;
import java.net.URISyntaxException;
import java.time.Instant;
import java.util.Locale;
import java.util.Optional;

/**
 * The atproto parts of a DID document (atproto.com/specs/did): the claimed handle, the PDS and the signing key.
 *
 * @param did        the DID the document is for (its {@code id}, checked)
 * @param handle     the first {@code at://} entry of {@code alsoKnownAs}, if it is a valid handle. A claim only:
 *                   the handle is verified once it resolves back to this DID
 * @param pds        the {@code #atproto_pds} service endpoint of type {@code AtprotoPersonalDataServer}
 * @param signingKey the {@code #atproto} verification method, Multikey or legacy form
 * @param fetchedAt  when it was fetched
 */
public record DidDocument(Did did, Optional<Handle> handle, Optional<URI> pds, Optional<AtprotoKey> signingKey,
                          Instant fetchedAt) {

    private static final String PDS_TYPE = "AtprotoPersonalDataServer";

    /**
     * Reads a DID document.
     *
     * @throws IdentityException if it is not for {@code did}, or its {@code #atproto} key is unusable
     */
    public static DidDocument parse(Did did, JsonNode doc, Instant fetchedAt) {
        if (!doc.isObject()) {
            throw new IdentityException("DID document of " + did + " is not a JSON object");
        }
        String id = doc.path("id").asText("");
        if (!id.equals(did.value())) {
            throw new IdentityException("DID document of " + did + " is for a different DID: " + Handle.quote(id));
        }
        return new DidDocument(did, handle(doc), pds(did, doc), signingKey(did, doc), fetchedAt);
    }

    private static Optional<Handle> handle(JsonNode doc) {
        for (JsonNode aka : doc.path("alsoKnownAs")) {
            String uri = aka.asText("");
            if (uri.startsWith("at://")) {
                // Only the first at:// entry counts; one that is not a handle means there is no handle.
                String rest = uri.substring("at://".length());
                return Handle.isValid(rest) ? Optional.of(new Handle(rest)) : Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<URI> pds(Did did, JsonNode doc) {
        for (JsonNode service : doc.path("service")) {
            if (!isFragment(did, service.path("id").asText(""), "atproto_pds")) {
                continue;
            }
            if (!PDS_TYPE.equals(service.path("type").asText()) || !service.path("serviceEndpoint").isTextual()) {
                return Optional.empty();
            }
            try {
                URI endpoint = new URI(service.path("serviceEndpoint").asText());
                String scheme = endpoint.getScheme() == null ? "" : endpoint.getScheme().toLowerCase(Locale.ROOT);
                boolean web = scheme.equals("https") || scheme.equals("http");
                return web && endpoint.getHost() != null ? Optional.of(endpoint) : Optional.empty();
            } catch (URISyntaxException e) {
                return Optional.empty();
            }
        }
        return Optional.empty();
    }

    private static Optional<AtprotoKey> signingKey(Did did, JsonNode doc) {
        for (JsonNode method : doc.path("verificationMethod")) {
            if (!isFragment(did, method.path("id").asText(""), "atproto")) {
                continue;
            }
            String type = method.path("type").asText("");
            String multibase = method.path("publicKeyMultibase").asText(null);
            try {
                return Optional.of("Multikey".equals(type)
                        ? AtprotoKey.fromMultikey(multibase)
                        : AtprotoKey.fromLegacy(type, multibase));
            } catch (IdentityException e) {
                throw new IdentityException("DID document of " + did + " has an unusable #atproto key: "
                        + e.getMessage(), e);
            }
        }
        return Optional.empty();
    }

    /** {@code #name} or {@code <did>#name}: both spellings of a fragment id occur in real documents. */
    private static boolean isFragment(Did did, String id, String name) {
        return id.equals("#" + name) || id.equals(did.value() + "#" + name);
    }
}
