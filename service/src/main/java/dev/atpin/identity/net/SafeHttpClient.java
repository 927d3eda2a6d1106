package dev.atpin.identity.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpHeaders;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.HttpResponse.BodySubscriber;
import java.net.http.HttpTimeoutException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executors;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Flow;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The one HTTP client for URLs that come from users or from documents users control (handles' well-known
 * files, did:web documents, PDS and OAuth metadata). Each request, and each redirect hop, is checked before
 * anything is sent:
 *
 * <ul>
 *   <li>{@code https} on port 443 only; {@code http} on port 80 only when the call's {@link Options} allow it;</li>
 *   <li>no credentials in the URL;</li>
 *   <li>the host is resolved and every address it resolves to must be public unicast ({@link AddressPolicy});</li>
 *   <li>redirects are followed here, at most {@link Settings#maxRedirects()}, each target checked the same way;</li>
 *   <li>the body is cut off at the call's size limit, and the whole fetch (lookups, redirects, body) has one
 *       deadline.</li>
 * </ul>
 *
 * <p>{@link Settings#allowInsecureLocal()} (config {@code atpin.identity.allow-insecure-local}) is for local runs
 * and tests only: it also allows plain http, any port and loopback addresses. Private, link-local and other
 * special addresses stay refused even then.
 *
 * <p>DNS rebinding: the JDK client offers no hook to connect to an address we chose while keeping TLS name
 * checks, so the host is resolved and checked immediately before each request, and the client then resolves
 * it again. Both lookups go through the JVM's positive address cache ({@code networkaddress.cache.ttl},
 * 30 s by default), so the client connects to an address we checked unless that cache entry expires in the
 * microseconds between the two lookups. Do not set that TTL to 0 on a replica that serves users.
 */
public final class SafeHttpClient implements AutoCloseable {

    /**
     * Limits of a client.
     *
     * @param allowInsecureLocal also allow http, any port and loopback addresses (local runs and tests only)
     * @param connectTimeout     time to open a connection
     * @param timeout            time for a whole fetch: lookups, every redirect hop and reading the body
     * @param maxResponseBytes   default body size limit, when the call does not set one
     * @param maxRedirects       redirects followed before giving up
     */
    public record Settings(boolean allowInsecureLocal, Duration connectTimeout, Duration timeout,
                           int maxResponseBytes, int maxRedirects) {

        /** Production defaults: no insecure local access, 5 s connect, 10 s total, 1 MiB, 3 redirects. */
        public static Settings defaults() {
            return new Settings(false, Duration.ofSeconds(5), Duration.ofSeconds(10), 1024 * 1024, 3);
        }

        public Settings withAllowInsecureLocal(boolean allow) {
            return new Settings(allow, connectTimeout, timeout, maxResponseBytes, maxRedirects);
        }
    }

    /**
     * What one call accepts.
     *
     * @param maxResponseBytes body size limit for this call, or 0 for the client's default
     * @param allowPlainHttp   also accept {@code http} on port 80 (only for callers whose protocol allows it)
     * @param accept           the {@code Accept} header
     */
    public record Options(int maxResponseBytes, boolean allowPlainHttp, String accept) {

        public static Options json() {
            return new Options(0, false, "application/json");
        }

        public static Options text(int maxResponseBytes) {
            return new Options(maxResponseBytes, false, "text/plain, */*;q=0.5");
        }

        public Options withMaxResponseBytes(int max) {
            return new Options(max, allowPlainHttp, accept);
        }

        public Options withPlainHttp(boolean allow) {
            return new Options(maxResponseBytes, allow, accept);
        }
    }

    /**
     * A response, whatever its status; the caller decides what a non-2xx status means.
     *
     * @param uri     the URL that answered, after redirects
     * @param status  the HTTP status
     * @param headers the response headers
     * @param body    the body, at most the call's limit
     */
    public record Response(URI uri, int status, HttpHeaders headers, byte[] body) {

        public Optional<String> contentType() {
            return headers.firstValue("Content-Type");
        }

        public boolean ok() {
            return status >= 200 && status < 300;
        }

        public String text() {
            return new String(body, StandardCharsets.UTF_8);
        }
    }

    /**
     * A request other than a plain {@link #get}: a method, extra headers and an optional body. Used for the
     * OAuth calls to a user's authorization server and PDS (PAR, token, revocation, XRPC), whose URLs come from
     * documents the user controls.
     *
     * @param method  the HTTP method, e.g. {@code POST}
     * @param url     the URL, checked like any other
     * @param headers extra headers (credentials among them: they are never put into messages)
     * @param body    the body, or null for none
     */
    public record Request(String method, URI url, Map<String, String> headers, byte[] body) {

        public Request {
            headers = Map.copyOf(headers);
        }

        public static Request get(URI url) {
            return new Request("GET", url, Map.of(), null);
        }

        public static Request post(URI url, String contentType, byte[] body) {
            return new Request("POST", url, Map.of("Content-Type", contentType), body);
        }

        /** The same request with one more header (replacing one of the same name). */
        public Request withHeader(String name, String value) {
            Map<String, String> more = new LinkedHashMap<>(headers);
            more.put(name, value);
            return new Request(method, url, more, body);
        }
    }

    private final Settings settings;
    private final HttpClient client;
    // Lookups block in the resolver without a timeout of their own: each runs on a virtual thread that we
    // stop waiting for at the deadline.
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();
    // Exchanges run as blocking send() calls, each on a virtual thread we can stop waiting for (see send).
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    public SafeHttpClient(Settings settings) {
        this.settings = settings;
        this.client = HttpClient.newBuilder()
                .followRedirects(HttpClient.Redirect.NEVER) // every hop is checked in get()
                .connectTimeout(settings.connectTimeout())
                // HTTP/1.1: on plain http the JDK would otherwise ask for an h2c upgrade, which some servers
                // (the reference PDS among them) answer by closing the connection.
                .version(HttpClient.Version.HTTP_1_1)
                .proxy(HttpClient.Builder.NO_PROXY) // a proxy would connect to addresses we never checked
                .build();
    }

    public Settings settings() {
        return settings;
    }

    /** Whether this client runs with {@code atpin.identity.allow-insecure-local}. */
    public boolean allowsInsecureLocal() {
        return settings.allowInsecureLocal();
    }

    /**
     * Fetches a URL with GET, following at most {@link Settings#maxRedirects()} redirects.
     *
     * @throws UnsafeUrlException         if the URL or a redirect target is refused (nothing was sent to it)
     * @throws ResponseTooLargeException  if the body exceeds the limit
     * @throws FetchException             if the host does not resolve, the connection fails or time runs out
     */
    public Response get(URI url, Options options) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        URI current = url;
        for (int hop = 0; ; hop++) {
            check(current, options, deadline, hop > 0);
            Response response = send(Request.get(current), options, deadline);
            if (!isRedirect(response.status())) {
                return response;
            }
            if (hop == settings.maxRedirects()) {
                throw new FetchException("too many redirects fetching " + url + " (more than "
                        + settings.maxRedirects() + ")");
            }
            current = redirectTarget(current, response);
        }
    }

    /**
     * Sends one request after the same checks as {@link #get}, and never follows a redirect: a 3xx comes back
     * as the response. A request that carries a body or credentials must not be replayed to wherever a
     * redirect points.
     *
     * @throws UnsafeUrlException if the URL is refused (nothing was sent)
     * @throws ResponseTooLargeException if the body exceeds the limit
     * @throws FetchException if the host does not resolve, the connection fails or time runs out
     */
    public Response exchange(Request request, Options options) {
        long deadline = System.nanoTime() + settings.timeout().toNanos();
        check(request.url(), options, deadline, false);
        return send(request, options, deadline);
    }

    private void check(URI url, Options options, long deadline, boolean redirected) {
        String shown = withoutUserInfo(url);
        String what = redirected ? "redirect to " + shown : shown;
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        boolean insecure = settings.allowInsecureLocal();
        int port = url.getPort();
        switch (scheme) {
            case "https" -> {
                if (port != -1 && port != 443 && !insecure) {
                    throw new UnsafeUrlException("refused " + what + ": only port 443 is allowed for https");
                }
            }
            case "http" -> {
                if (!options.allowPlainHttp() && !insecure) {
                    throw new UnsafeUrlException("refused " + what + ": only https URLs are allowed");
                }
                if (port != -1 && port != 80 && !insecure) {
                    throw new UnsafeUrlException("refused " + what + ": only port 80 is allowed for http");
                }
            }
            default -> throw new UnsafeUrlException("refused " + what + ": only https URLs are allowed");
        }
        if (url.getRawUserInfo() != null) {
            throw new UnsafeUrlException("refused " + what + ": credentials in URLs are not allowed");
        }
        String host = url.getHost();
        if (host == null || host.isEmpty()) {
            throw new UnsafeUrlException("refused " + what + ": no host name");
        }
        for (InetAddress address : resolve(host, url, deadline)) {
            Optional<String> forbidden = AddressPolicy.forbidden(address);
            if (forbidden.isPresent() && !(insecure && AddressPolicy.isLoopback(address))) {
                throw new UnsafeUrlException("refused " + what + ": " + host + " resolves to "
                        + address.getHostAddress() + ", a " + forbidden.get() + " address");
            }
        }
    }

    private InetAddress[] resolve(String host, URI url, long deadline) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        CompletableFuture<InetAddress[]> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getAllByName(name);
            } catch (UnknownHostException e) {
                throw new FetchException("cannot fetch " + url + ": unknown host " + name);
            }
        }, lookups);
        try {
            return lookup.get(remainingNanos(deadline, url), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new FetchException("cannot fetch " + url + ": looking up " + name + " took longer than "
                    + settings.timeout().toMillis() + " ms");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof FetchException f ? f
                    : new FetchException("cannot fetch " + url + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + url, e);
        }
    }

    private Response send(Request spec, Options options, long deadline) {
        URI url = spec.url();
        int limit = options.maxResponseBytes() > 0 ? options.maxResponseBytes() : settings.maxResponseBytes();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(Duration.ofNanos(remainingNanos(deadline, url)))
                .header("Accept", options.accept())
                .header("User-Agent", "atpin")
                .method(spec.method(), spec.body() == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofByteArray(spec.body()));
        spec.headers().forEach(builder::setHeader);
        HttpRequest request = builder.build();
        // The blocking send() on a virtual thread of our own, not sendAsync(): sendAsync completes its future
        // through ForkJoinPool.commonPool(), so a caller on a busy common pool (parallelism 1 on a 2-core
        // machine, its workers blocked elsewhere) would wait out the whole deadline for a response that came.
        Future<HttpResponse<byte[]>> exchange = workers.submit(() -> client.send(request, info -> capped(info, limit, url)));
        try {
            HttpResponse<byte[]> r = exchange.get(remainingNanos(deadline, url), TimeUnit.NANOSECONDS);
            return new Response(url, r.statusCode(), r.headers(), r.body());
        } catch (TimeoutException e) {
            exchange.cancel(true); // interrupting send() cancels the exchange
            throw timeout(url);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof FetchException f) {
                    throw f; // the JDK wraps what our body subscriber failed with
                }
            }
            if (cause instanceof HttpTimeoutException) {
                throw timeout(url);
            }
            throw new FetchException("cannot fetch " + url + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + url, e);
        }
    }

    private URI redirectTarget(URI from, Response response) {
        String location = response.headers().firstValue("Location").orElse("");
        if (location.isBlank()) {
            throw new FetchException("redirect from " + from + " without a Location header");
        }
        try {
            return from.resolve(location.strip());
        } catch (IllegalArgumentException e) {
            throw new FetchException("redirect from " + from + " to an invalid URL: " + location);
        }
    }

    /** The URL as it may appear in messages and logs: any {@code user:password@} part is cut out. */
    private static String withoutUserInfo(URI url) {
        String raw = url.toString();
        return url.getRawUserInfo() == null ? raw : raw.replace(url.getRawUserInfo() + "@", "");
    }

    private static boolean isRedirect(int status) {
        return status == 301 || status == 302 || status == 303 || status == 307 || status == 308;
    }

    private long remainingNanos(long deadline, URI url) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timeout(url);
        }
        return left;
    }

    private FetchException timeout(URI url) {
        return new FetchException("cannot fetch " + url + ": no complete response within "
                + settings.timeout().toMillis() + " ms");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** Reads the body up to {@code limit} bytes and fails as soon as it grows past it. */
    private static BodySubscriber<byte[]> capped(HttpResponse.ResponseInfo info, int limit, URI url) {
        OptionalLong declared = info.headers().firstValueAsLong("Content-Length");
        return new CappedBody(limit, url, declared.isPresent() && declared.getAsLong() > limit);
    }

    private static final class CappedBody implements BodySubscriber<byte[]> {
        private final int limit;
        private final URI url;
        private final boolean declaredTooLarge;
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();
        private final CompletableFuture<byte[]> result = new CompletableFuture<>();
        private Flow.Subscription subscription;

        CappedBody(int limit, URI url, boolean declaredTooLarge) {
            this.limit = limit;
            this.url = url;
            this.declaredTooLarge = declaredTooLarge;
        }

        @Override
        public CompletionStage<byte[]> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (declaredTooLarge) {
                s.cancel();
                result.completeExceptionally(tooLarge());
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (buffer.size() + item.remaining() > limit) {
                    subscription.cancel();
                    result.completeExceptionally(tooLarge());
                    return;
                }
                byte[] chunk = new byte[item.remaining()];
                item.get(chunk);
                buffer.writeBytes(chunk);
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            result.completeExceptionally(throwable);
        }

        @Override
        public void onComplete() {
            result.complete(buffer.toByteArray());
        }

        private ResponseTooLargeException tooLarge() {
            return new ResponseTooLargeException("refused the response from " + url + ": larger than " + limit
                    + " bytes");
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        // not close(): that would wait for a lookup stuck in the system resolver
        lookups.shutdownNow();
        workers.shutdownNow();
    }
}
