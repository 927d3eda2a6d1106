package dev.atpin.oauth;

import java.net.URI;
import java.util.Optional;

/**
 * What we use of an authorization server's metadata (RFC 8414), checked against the atproto profile.
 *
 * @param issuer                the issuer, equal to the origin its metadata was fetched from
 * @param parEndpoint           {@code pushed_authorization_request_endpoint}: atproto requires PAR
 * @param authorizationEndpoint where the browser is sent with the PAR {@code request_uri}
 * @param tokenEndpoint         code exchange and refresh
 * @param revocationEndpoint    token revocation (RFC 7009), if the server has one
 */
public record AuthServer(String issuer, URI parEndpoint, URI authorizationEndpoint, URI tokenEndpoint,
                         Optional<URI> revocationEndpoint) {}
