package dev.atpin.oauth.client;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Our client metadata document, served at the {@code client_id} URL of the confidential client
 * (atproto.com/specs/oauth, "Client ID Metadata Document"). Authorization servers fetch and cache it; every
 * field here is one they check.
 */
public final class ClientMetadata {

    private ClientMetadata() {}

    /** The document for the confidential client. */
    public static Map<String, Object> document(ClientSettings settings) {
        if (!settings.confidential()) {
            throw new IllegalStateException("the loopback client has no metadata document");
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("client_id", settings.clientId());
        doc.put("application_type", "web");
        doc.put("client_name", "atpin");
        doc.put("client_uri", settings.publicUrl().toString());
        doc.put("grant_types", List.of("authorization_code", "refresh_token"));
        doc.put("response_types", List.of("code"));
        doc.put("scope", settings.scope());
        doc.put("redirect_uris", List.of(settings.redirectUri().toString()));
        doc.put("dpop_bound_access_tokens", true);
        doc.put("token_endpoint_auth_method", "private_key_jwt");
        doc.put("token_endpoint_auth_signing_alg", "ES256");
        doc.put("jwks_uri", settings.jwksUri().toString());
        return doc;
    }
}
