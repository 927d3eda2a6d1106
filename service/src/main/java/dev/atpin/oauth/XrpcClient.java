package dev.atpin.oauth;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.oauth.dpop.DpopHttp;
import java.io.IOException;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.StringJoiner;
import java.util.regex.Pattern;

/**
 * Authenticated XRPC calls to a user's PDS on their behalf, with their OAuth session: a DPoP-bound access
 * token and a proof carrying {@code ath}. The access token is refreshed first when it is about to expire, and
 * once more if the PDS still says it expired; nonce retries are {@link DpopHttp}'s.
 */
public final class XrpcClient {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern NSID = Pattern.compile("^[a-zA-Z][a-zA-Z0-9-]*(\\.[a-zA-Z0-9-]+){2,}$");
    private static final Pattern INVALID_TOKEN = Pattern.compile("error\\s*=\\s*\"invalid_token\"");

    private final DpopHttp http;
    private final OAuthSessions sessions;

    public XrpcClient(DpopHttp http, OAuthSessions sessions) {
        this.http = http;
        this.sessions = sessions;
    }

    /** An XRPC query (GET) with the given parameters. */
    public JsonNode query(OAuthSession session, String nsid, Map<String, String> params) {
        StringJoiner query = new StringJoiner("&", "?", "").setEmptyValue("");
        params.forEach((k, v) -> query.add(enc(k) + "=" + enc(v)));
        return call(session, nsid, url -> SafeHttpClient.Request.get(URI.create(url + query)));
    }

    /** An XRPC procedure (POST) with a JSON body. */
    public JsonNode procedure(OAuthSession session, String nsid, Object input) {
        byte[] body;
        try {
            body = JSON.writeValueAsBytes(input);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("input of " + nsid + " is not serializable", e);
        }
        return call(session, nsid, url -> SafeHttpClient.Request.post(URI.create(url), "application/json", body));
    }

    /** {@code com.atproto.repo.createRecord} into the session owner's repo; answers {@code {uri, cid}}. */
    public JsonNode createRecord(OAuthSession session, String collection, String rkey, Map<String, ?> record) {
        Map<String, Object> value = new LinkedHashMap<>();
        value.put("$type", collection);
        value.putAll(record);
        Map<String, Object> input = new LinkedHashMap<>();
        input.put("repo", session.did());
        input.put("collection", collection);
        if (rkey != null) {
            input.put("rkey", rkey);
        }
        input.put("record", value);
        return procedure(session, "com.atproto.repo.createRecord", input);
    }

    /** {@code com.atproto.repo.deleteRecord} from the session owner's repo. */
    public void deleteRecord(OAuthSession session, String collection, String rkey) {
        procedure(session, "com.atproto.repo.deleteRecord",
                Map.of("repo", session.did(), "collection", collection, "rkey", rkey));
    }

    @FunctionalInterface
    private interface RequestFor {
        SafeHttpClient.Request build(String methodUrl);
    }

    private JsonNode call(OAuthSession session, String nsid, RequestFor requestFor) {
        if (!NSID.matcher(nsid).matches()) {
            throw new IllegalArgumentException("not an NSID: " + nsid);
        }
        String methodUrl = session.pds().toString().replaceAll("/+$", "") + "/xrpc/" + nsid;
        SafeHttpClient.Request request = requestFor.build(methodUrl);
        OAuthSession current = sessions.fresh(session);
        SafeHttpClient.Response response = http.resource(request, current.dpopKey(), current.tokens().accessToken());
        if (tokenExpired(response)) {
            current = sessions.refresh(current, true);
            response = http.resource(request, current.dpopKey(), current.tokens().accessToken());
        }
        JsonNode body = parse(response);
        if (!response.ok()) {
            throw new XrpcException(nsid, response.status(), body.path("error").asText(""),
                    body.path("message").asText(""));
        }
        return body;
    }

    private static boolean tokenExpired(SafeHttpClient.Response response) {
        return response.status() == 401 && response.headers().allValues("WWW-Authenticate").stream()
                .anyMatch(h -> INVALID_TOKEN.matcher(h).find());
    }

    private static JsonNode parse(SafeHttpClient.Response response) {
        if (response.body().length == 0) {
            return JSON.createObjectNode();
        }
        try {
            JsonNode node = JSON.readTree(response.body());
            return node == null ? JSON.createObjectNode() : node;
        } catch (IOException e) {
            return JSON.createObjectNode();
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }
}
