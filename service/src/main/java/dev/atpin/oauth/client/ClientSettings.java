package dev.atpin.oauth.client;

import dev.atpin.oauth.OAuthConfig;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Who we are to authorization servers, derived once from {@link OAuthConfig}.
 *
 * @param mode        loopback (development) or confidential (production)
 * @param publicUrl   the service's public base URL, without a trailing slash
 * @param clientId    the {@code client_id}: the loopback form, or the URL of our client metadata document
 * @param redirectUri {@code <public-url>/oauth/callback}
 * @param scope       the scopes we ask for, space separated, {@code atproto} first
 */
public record ClientSettings(ClientMode mode, URI publicUrl, String clientId, URI redirectUri, String scope) {

    public static final String CALLBACK_PATH = "/oauth/callback";
    public static final String METADATA_PATH = "/oauth/client-metadata.json";
    public static final String JWKS_PATH = "/oauth/jwks.json";
    private static final Set<String> LOOPBACK_IPS = Set.of("127.0.0.1", "[::1]");

    /** Derives the settings, refusing combinations no authorization server would accept. */
    public static ClientSettings from(OAuthConfig config) {
        URI publicUrl = URI.create(config.publicUrl().toString().replaceAll("/+$", ""));
        String scheme = String.valueOf(publicUrl.getScheme()).toLowerCase(Locale.ROOT);
        String host = String.valueOf(publicUrl.getHost()).toLowerCase(Locale.ROOT);
        if (!scheme.equals("http") && !scheme.equals("https") || publicUrl.getHost() == null) {
            throw new IllegalArgumentException("atpin.oauth.public-url must be an http(s) URL, not " + publicUrl);
        }
        if (publicUrl.getRawPath() != null && !publicUrl.getRawPath().isEmpty()) {
            throw new IllegalArgumentException("atpin.oauth.public-url must be an origin without a path, not "
                    + publicUrl);
        }
        boolean loopbackHost = LOOPBACK_IPS.contains(host) || host.equals("localhost");
        ClientMode mode = config.mode().orElse(scheme.equals("http") && loopbackHost
                ? ClientMode.LOOPBACK : ClientMode.CONFIDENTIAL);
        URI redirectUri = URI.create(publicUrl + CALLBACK_PATH);
        String scope = scope(config);
        return switch (mode) {
            case LOOPBACK -> {
                // atproto's loopback client: the redirect URI must be http on a loopback IP literal
                // ("localhost" is refused by authorization servers, RFC 8252 §8.3).
                if (!scheme.equals("http") || !LOOPBACK_IPS.contains(host)) {
                    throw new IllegalArgumentException("the loopback OAuth client needs atpin.oauth.public-url "
                            + "http://127.0.0.1:PORT or http://[::1]:PORT, not " + publicUrl);
                }
                yield new ClientSettings(mode, publicUrl, loopbackClientId(redirectUri, scope), redirectUri, scope);
            }
            case CONFIDENTIAL -> {
                if (!scheme.equals("https") || loopbackHost) {
                    throw new IllegalArgumentException("the confidential OAuth client needs an https "
                            + "atpin.oauth.public-url with a real host name, not " + publicUrl
                            + " (use atpin.oauth.mode=loopback for local runs)");
                }
                yield new ClientSettings(mode, publicUrl, publicUrl + METADATA_PATH, redirectUri, scope);
            }
        };
    }

    /** The narrowest scopes that let us write our records: never {@code transition:generic}. */
    static String scope(OAuthConfig config) {
        List<String> scopes = new ArrayList<>();
        scopes.add("atproto");
        scopes.add("repo:" + config.pinCollection());
        scopes.add("repo:" + config.enrollmentCollection());
        if (config.blobScope()) {
            scopes.add("blob:*/*");
        }
        config.extraScopes().ifPresent(extra -> extra.stream().map(String::strip)
                .filter(s -> !s.isEmpty() && !scopes.contains(s)).forEach(scopes::add));
        return String.join(" ", scopes);
    }

    private static String loopbackClientId(URI redirectUri, String scope) {
        return "http://localhost?redirect_uri=" + URLEncoder.encode(redirectUri.toString(), StandardCharsets.UTF_8)
                + "&scope=" + URLEncoder.encode(scope, StandardCharsets.UTF_8);
    }

    /** Whether the client authenticates with {@code private_key_jwt} (else it is a public client). */
    public boolean confidential() {
        return mode == ClientMode.CONFIDENTIAL;
    }

    public URI jwksUri() {
        return URI.create(publicUrl + JWKS_PATH);
    }
}
