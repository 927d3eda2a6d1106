package dev.atpin.testing;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.StringJoiner;
import java.util.concurrent.ConcurrentHashMap;
import java.util.stream.Collectors;

/**
 * Just enough of a browser for login tests: a cookie jar per host (that also sends cookies marked Secure over
 * http, as the reference PDS marks its cookies even on a loopback http issuer), no automatic redirects, and
 * the headers a page's own requests carry. Each instance is one browser profile.
 */
public final class Browser {

    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .followRedirects(HttpClient.Redirect.NEVER).connectTimeout(Duration.ofSeconds(5)).build();
    private final Map<String, Map<String, String>> jar = new ConcurrentHashMap<>();

    /** A GET as a top-level navigation. */
    public HttpResponse<String> navigate(String url, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url)).GET();
        headers.forEach(request::header);
        return send(request);
    }

    public HttpResponse<String> get(String url) {
        return navigate(url, Map.of());
    }

    /** A form POST, as a page's form submits it. */
    public HttpResponse<String> postForm(String url, Map<String, ?> fields) {
        StringJoiner body = new StringJoiner("&");
        fields.forEach((k, v) -> {
            for (Object value : v instanceof List<?> list ? list : List.of(v)) {
                body.add(enc(k) + "=" + enc(String.valueOf(value)));
            }
        });
        return send(HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/x-www-form-urlencoded")
                .POST(HttpRequest.BodyPublishers.ofString(body.toString())));
    }

    /** A JSON POST with extra headers, as a page's script sends it. */
    public HttpResponse<String> postJson(String url, String json, Map<String, String> headers) {
        HttpRequest.Builder request = HttpRequest.newBuilder(URI.create(url))
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(json));
        headers.forEach(request::header);
        return send(request);
    }

    public Optional<String> cookie(String url, String name) {
        return Optional.ofNullable(jar.getOrDefault(URI.create(url).getHost(), Map.of()).get(name));
    }

    public void setCookie(String url, String name, String value) {
        jar.computeIfAbsent(URI.create(url).getHost(), h -> new ConcurrentHashMap<>()).put(name, value);
    }

    public void clearCookies(String url) {
        jar.remove(URI.create(url).getHost());
    }

    public static String location(HttpResponse<?> response) {
        return response.headers().firstValue("Location").orElseThrow(() -> new AssertionError(
                "expected a redirect, got " + response.statusCode() + ": " + response.body()));
    }

    private HttpResponse<String> send(HttpRequest.Builder request) {
        HttpRequest built = request.timeout(Duration.ofSeconds(30)).build();
        String host = built.uri().getHost();
        Map<String, String> cookies = jar.getOrDefault(host, Map.of());
        if (!cookies.isEmpty()) {
            built = HttpRequest.newBuilder(built, (n, v) -> true).header("Cookie", cookies.entrySet().stream()
                    .map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining("; "))).build();
        }
        try {
            HttpResponse<String> response = http.send(built, HttpResponse.BodyHandlers.ofString());
            store(host, response.headers().allValues("Set-Cookie"));
            return response;
        } catch (IOException e) {
            throw new UncheckedIOException(built.method() + " " + built.uri().getPath() + " failed", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    private void store(String host, List<String> setCookies) {
        Map<String, String> cookies = jar.computeIfAbsent(host, h -> new ConcurrentHashMap<>());
        for (String header : setCookies) {
            String pair = header.split(";", 2)[0];
            int eq = pair.indexOf('=');
            if (eq <= 0) {
                continue;
            }
            String name = pair.substring(0, eq).strip();
            String value = pair.substring(eq + 1).strip();
            boolean expired = header.toLowerCase(java.util.Locale.ROOT).contains("max-age=0")
                    || header.toLowerCase(java.util.Locale.ROOT).contains("expires=thu, 01 jan 1970");
            if (value.isEmpty() || expired) {
                cookies.remove(name);
            } else {
                cookies.put(name, value);
            }
        }
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /** Request headers as a map, in order (for readability at call sites). */
    public static Map<String, String> headers(String... nameValue) {
        Map<String, String> map = new LinkedHashMap<>();
        for (int i = 0; i < nameValue.length; i += 2) {
            map.put(nameValue[i], nameValue[i + 1]);
        }
        return map;
    }
}
