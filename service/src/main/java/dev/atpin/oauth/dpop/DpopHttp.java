package dev.atpin.oauth.dpop;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.oauth2.sdk.dpop.DefaultDPoPProofFactory;
import com.nimbusds.oauth2.sdk.token.DPoPAccessToken;
import com.nimbusds.openid.connect.sdk.Nonce;
import dev.atpin.identity.net.FetchException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.oauth.OAuthException;
import io.micrometer.core.instrument.MeterRegistry;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Sends DPoP-bound requests (RFC 9449) through {@link SafeHttpClient}: to authorization servers (PAR, token,
 * revocation: a form POST with a proof) and to resource servers (XRPC: a proof with {@code ath} plus
 * {@code Authorization: DPoP <token>}).
 *
 * <p>Nonces: every response's {@code DPoP-Nonce} is remembered per origin ({@link DpopNonces}); a request is
 * retried exactly once, with the new nonce, when the server asks for it: {@code 400 {"error":"use_dpop_nonce"}}
 * from an authorization server, {@code 401} with {@code WWW-Authenticate: DPoP error="use_dpop_nonce"} from a
 * resource server. Each retry is counted in {@code atpin.oauth.dpop.nonce.retries}.
 */
public final class DpopHttp {

    /** Which kind of server a request goes to; the nonce error looks different at each. */
    public enum Server { AUTHORIZATION, RESOURCE }

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern USE_NONCE = Pattern.compile("error\\s*=\\s*\"use_dpop_nonce\"");
    /** Counter of retries after {@code use_dpop_nonce}, tagged {@code server=authorization|resource}. */
    public static final String RETRIES_METRIC = "atpin.oauth.dpop.nonce.retries";

    private final SafeHttpClient http;
    private final DpopNonces nonces;
    private final MeterRegistry metrics;

    public DpopHttp(SafeHttpClient http, DpopNonces nonces, MeterRegistry metrics) {
        this.http = http;
        this.nonces = nonces;
        this.metrics = metrics;
    }

    public DpopNonces nonces() {
        return nonces;
    }

    /** POSTs an urlencoded form to an authorization server endpoint. */
    public SafeHttpClient.Response postForm(URI endpoint, String form, ECKey dpopKey) {
        SafeHttpClient.Request request = SafeHttpClient.Request.post(endpoint, "application/x-www-form-urlencoded",
                form.getBytes(StandardCharsets.UTF_8));
        return send(Server.AUTHORIZATION, request, dpopKey, null);
    }

    /** Sends a request to a resource server with a DPoP-bound access token. */
    public SafeHttpClient.Response resource(SafeHttpClient.Request request, ECKey dpopKey, String accessToken) {
        return send(Server.RESOURCE, request.withHeader("Authorization", "DPoP " + accessToken), dpopKey,
                accessToken);
    }

    private SafeHttpClient.Response send(Server server, SafeHttpClient.Request request, ECKey key, String token) {
        // OAuth endpoint answers are a few hundred bytes; XRPC answers get the client's general limit
        SafeHttpClient.Options options = server == Server.AUTHORIZATION
                ? SafeHttpClient.Options.json().withMaxResponseBytes(64 * 1024) : SafeHttpClient.Options.json();
        SafeHttpClient.Response response = once(request, key, token, options);
        if (asksForNonce(server, response)) {
            metrics.counter(RETRIES_METRIC, "server", server.name().toLowerCase(java.util.Locale.ROOT)).increment();
            response = once(request, key, token, options);
        }
        return response;
    }

    private SafeHttpClient.Response once(SafeHttpClient.Request request, ECKey key, String token,
                                         SafeHttpClient.Options options) {
        URI url = request.url();
        String proof = proof(key, request.method(), url, token, nonces.get(url));
        SafeHttpClient.Response response;
        try {
            response = http.exchange(request.withHeader("DPoP", proof), options);
        } catch (FetchException e) {
            throw new OAuthException("could not reach " + DpopNonces.origin(url).replaceAll(":(80|443)$", "")
                    + ": " + e.getMessage(), e);
        }
        response.headers().firstValue("DPoP-Nonce").ifPresent(n -> nonces.put(url, n));
        return response;
    }

    private static boolean asksForNonce(Server server, SafeHttpClient.Response response) {
        if (response.headers().firstValue("DPoP-Nonce").isEmpty()) {
            return false; // a retry without a new nonce would fail the same way
        }
        return switch (server) {
            case AUTHORIZATION -> response.status() == 400 && "use_dpop_nonce".equals(errorCode(response));
            case RESOURCE -> response.status() == 401 && response.headers().allValues("WWW-Authenticate").stream()
                    .anyMatch(h -> h.regionMatches(true, 0, "DPoP", 0, 4) && USE_NONCE.matcher(h).find());
        };
    }

    /** The {@code error} of an OAuth error body, or null. */
    static String errorCode(SafeHttpClient.Response response) {
        try {
            JsonNode body = JSON.readTree(response.body());
            return body == null ? null : body.path("error").asText(null);
        } catch (IOException e) {
            return null;
        }
    }

    /** A proof for one request: {@code htm}, {@code htu} without query or fragment, {@code ath} with a token. */
    static String proof(ECKey key, String method, URI url, String accessToken, Optional<String> nonce) {
        try {
            URI htu = URI.create(url.getScheme() + "://" + url.getRawAuthority() + url.getRawPath());
            DefaultDPoPProofFactory factory = new DefaultDPoPProofFactory(key, JWSAlgorithm.ES256);
            return factory.createDPoPJWT(method, htu,
                    accessToken == null ? null : new DPoPAccessToken(accessToken),
                    nonce.map(Nonce::new).orElse(null)).serialize();
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot make a DPoP proof for " + url.getHost(), e);
        }
    }
}
