package dev.atpin.oauth;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.SafeHttpClient;
import java.io.IOException;
import java.net.URI;
import java.util.Locale;
import java.util.Optional;

/**
 * PDS → its authorization server, per atproto.com/specs/oauth: {@code GET <pds>/.well-known/oauth-protected-resource}
 * names exactly one authorization server; {@code GET <as>/.well-known/oauth-authorization-server} gives its
 * metadata, whose {@code issuer} must be the very origin we fetched it from (otherwise a PDS could make us
 * trust metadata that another server wrote). Both fetches go through {@link SafeHttpClient}: these URLs come
 * from documents the user controls.
 */
public final class AuthServerDiscovery {

    private static final ObjectMapper JSON = new ObjectMapper();

    private final SafeHttpClient http;

    public AuthServerDiscovery(SafeHttpClient http) {
        this.http = http;
    }

    /** The authorization server that protects this PDS. */
    public AuthServer forPds(URI pds) {
        String origin = origin(pds);
        JsonNode resource = fetchJson(URI.create(origin + "/.well-known/oauth-protected-resource"),
                "your PDS's OAuth metadata");
        if (!origin.equals(stripSlash(resource.path("resource").asText("")))) {
            throw new OAuthException("your PDS's OAuth metadata is for a different server ("
                    + resource.path("resource").asText("none") + ", expected " + origin + ")");
        }
        JsonNode servers = resource.path("authorization_servers");
        if (!servers.isArray() || servers.size() != 1 || !servers.get(0).isTextual()) {
            throw new OAuthException("your PDS must name exactly one authorization server in its OAuth metadata");
        }
        return metadata(servers.get(0).asText());
    }

    /** The metadata of an authorization server, checked; {@code issuer} must be an origin. */
    public AuthServer metadata(String issuer) {
        URI issuerUri;
        try {
            issuerUri = URI.create(issuer);
        } catch (IllegalArgumentException e) {
            throw new OAuthException("your PDS names an invalid authorization server");
        }
        String origin = origin(issuerUri);
        if (!origin.equals(issuer)) {
            throw new OAuthException("the authorization server " + issuer + " is not an origin (https://host)");
        }
        JsonNode meta = fetchJson(URI.create(origin + "/.well-known/oauth-authorization-server"),
                "the metadata of your authorization server");
        if (!origin.equals(meta.path("issuer").asText(""))) {
            throw new OAuthException("the authorization server at " + origin + " claims to be "
                    + meta.path("issuer").asText("nobody") + ": refusing it");
        }
        require(meta, "code_challenge_methods_supported", "S256");
        require(meta, "dpop_signing_alg_values_supported", "ES256");
        require(meta, "scopes_supported", "atproto");
        require(meta, "response_types_supported", "code");
        if (!meta.path("authorization_response_iss_parameter_supported").asBoolean(false)) {
            throw new OAuthException("the authorization server at " + origin
                    + " does not send iss with its responses, which atproto requires");
        }
        return new AuthServer(origin,
                endpoint(meta, "pushed_authorization_request_endpoint", origin),
                endpoint(meta, "authorization_endpoint", origin),
                endpoint(meta, "token_endpoint", origin),
                meta.hasNonNull("revocation_endpoint")
                        ? Optional.of(endpoint(meta, "revocation_endpoint", origin)) : Optional.empty());
    }

    private JsonNode fetchJson(URI url, String what) {
        SafeHttpClient.Response response;
        try {
            response = http.get(url, SafeHttpClient.Options.json());
        } catch (FetchException e) {
            throw new OAuthException("could not fetch " + what + ": " + e.getMessage(), e);
        }
        if (!response.ok()) {
            throw new OAuthException("could not fetch " + what + ": " + url + " answered " + response.status());
        }
        try {
            JsonNode node = JSON.readTree(response.body());
            if (node == null || !node.isObject()) {
                throw new OAuthException(what + " at " + url + " is not a JSON object");
            }
            return node;
        } catch (IOException e) {
            throw new OAuthException(what + " at " + url + " is not valid JSON");
        }
    }

    private static void require(JsonNode meta, String field, String value) {
        for (JsonNode v : meta.path(field)) {
            if (value.equals(v.asText())) {
                return;
            }
        }
        throw new OAuthException("the authorization server does not support " + value + " (" + field + ")");
    }

    /**
     * An endpoint URL: absolute, with the issuer's scheme. It need not be on the issuer's origin (the spec does
     * not ask that), and every request to it goes through {@link SafeHttpClient} like any other.
     */
    private static URI endpoint(JsonNode meta, String field, String issuer) {
        String value = meta.path(field).asText("");
        URI uri;
        try {
            uri = URI.create(value);
        } catch (IllegalArgumentException e) {
            throw new OAuthException("the authorization server has no valid " + field);
        }
        if (uri.getHost() == null || !issuer.startsWith(String.valueOf(uri.getScheme()).toLowerCase(Locale.ROOT) + "://")) {
            throw new OAuthException("the authorization server has no valid " + field);
        }
        return uri;
    }

    /** {@code scheme://host[:port]} in lower case, default ports left out. */
    static String origin(URI url) {
        if (url.getScheme() == null || url.getHost() == null) {
            throw new OAuthException("not an absolute http(s) URL: " + url);
        }
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        if (!scheme.equals("https") && !scheme.equals("http")) {
            throw new OAuthException("not an http(s) URL: " + url);
        }
        int port = url.getPort();
        boolean defaultPort = port == -1 || (scheme.equals("https") && port == 443) || (scheme.equals("http") && port == 80);
        String host = url.getHost().toLowerCase(Locale.ROOT);
        return scheme + "://" + host + (defaultPort ? "" : ":" + port);
    }

    private static String stripSlash(String s) {
        return s.endsWith("/") ? s.substring(0, s.length() - 1) : s;
    }
}
