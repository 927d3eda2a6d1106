package dev.atpin.testing;

import static dev.atpin.testing.Browser.headers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.util.Map;

/**
 * Signs in and consents at the reference PDS's authorization page through the page's own API, as its script
 * does in a browser (headless Chromium does the same in ~3 s; this needs no browser). The API is internal to
 * {@code @atproto/oauth-provider}: it matches the PDS version pinned in {@code scripts/pds/package-lock.json}.
 *
 * <ol>
 *   <li>GET the authorize URL: sets the device cookies and {@code csrf-token};</li>
 *   <li>POST {@code ~api/sign-in} with the account's password ({@code remember}: the device keeps the session);</li>
 *   <li>POST {@code ~api/consent} for the DID: answers the URL of {@code /oauth/authorize/redirect};</li>
 *   <li>GET that: a 303 to the client's redirect URI with {@code code}, {@code state} and {@code iss}.</li>
 * </ol>
 */
public final class PdsSignIn {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String API = "/@atproto/oauth-provider/~api";

    private PdsSignIn() {}

    /**
     * Authorizes the request behind {@code authorizeUrl} as {@code account} and returns the callback URL the
     * PDS redirects the browser to.
     */
    public static String authorize(Browser browser, String authorizeUrl, PdsServer.Account account) {
        URI authorize = URI.create(authorizeUrl);
        String issuer = authorize.getScheme() + "://" + authorize.getRawAuthority();
        HttpResponse<String> page = browser.navigate(authorizeUrl, headers(
                "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "cross-site", "Sec-Fetch-Dest", "document"));
        check(page, 200, "the authorize page");
        String csrf = browser.cookie(authorizeUrl, "csrf-token")
                .orElseThrow(() -> new AssertionError("the authorize page set no csrf-token cookie"));
        Map<String, String> api = headers("Origin", issuer, "Referer", authorizeUrl, "x-csrf-token", csrf,
                "Sec-Fetch-Mode", "same-origin", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "empty");

        HttpResponse<String> signIn = browser.postJson(issuer + API + "/sign-in", json(Map.of("locale", "en",
                "username", account.handle(), "password", account.password(), "remember", true)), api);
        check(signIn, 200, "sign-in");
        HttpResponse<String> consent = browser.postJson(issuer + API + "/consent",
                json(Map.of("did", account.did())), withCsrf(browser, authorizeUrl, api));
        check(consent, 200, "consent");
        String redirect = read(consent.body()).path("url").asText();

        HttpResponse<String> back = browser.navigate(redirect, headers("Referer", authorizeUrl,
                "Sec-Fetch-Mode", "navigate", "Sec-Fetch-Site", "same-origin", "Sec-Fetch-Dest", "document"));
        check(back, 303, "the redirect back to the client");
        return Browser.location(back);
    }

    /** The csrf cookie may have been refreshed by the previous call. */
    private static Map<String, String> withCsrf(Browser browser, String url, Map<String, String> api) {
        Map<String, String> copy = new java.util.LinkedHashMap<>(api);
        browser.cookie(url, "csrf-token").ifPresent(c -> copy.put("x-csrf-token", c));
        return copy;
    }

    private static void check(HttpResponse<String> response, int status, String what) {
        if (response.statusCode() != status) {
            throw new AssertionError(what + " answered " + response.statusCode() + " (expected " + status + "): "
                    + response.body().substring(0, Math.min(500, response.body().length())));
        }
    }

    private static String json(Map<String, ?> map) {
        try {
            return JSON.writeValueAsString(map);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static JsonNode read(String body) {
        try {
            return JSON.readTree(body);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
