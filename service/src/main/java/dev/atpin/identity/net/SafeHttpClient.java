package dev.atpin.identity.net;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.net.URI;
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
     * @param timeout          the time for the whole fetch, or null for the client's {@link Settings#timeout()}:
     *                         large downloads (a repo, a blob) get a budget of their own
     */
    public record Options(int maxResponseBytes, boolean allowPlainHttp, String accept, Duration timeout) {

        public Options(int maxResponseBytes, boolean allowPlainHttp, String accept) {
            this(maxResponseBytes, allowPlainHttp, accept, null);
        }

        public static Options json() {
            return new Options(0, false, "application/json");
        }

        public static Options text(int maxResponseBytes) {
            return new Options(maxResponseBytes, false, "text/plain, */*;q=0.5");
        }

        public Options withMaxResponseBytes(int max) {
            return new Options(max, allowPlainHttp, accept, timeout);
        }

        public Options withPlainHttp(boolean allow) {
            return new Options(maxResponseBytes, allow, accept, timeout);
        }

        /** The same options with a time budget of their own for the whole fetch. */
        public Options withTimeout(Duration budget) {
            return new Options(maxResponseBytes, allowPlainHttp, accept, budget);
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

        @Override
        public String toString() {
            // header values carry credentials (Authorization, DPoP proofs), bodies carry codes and assertions
            return "Request[" + method + " " + withoutUserInfo(url) + ", headers=" + headers.keySet() + "]";
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
    private final UrlPolicy policy;
    // Exchanges run as blocking send() calls, each on a virtual thread we can stop waiting for (see send).
    private final ExecutorService workers = Executors.newVirtualThreadPerTaskExecutor();

    public SafeHttpClient(Settings settings) {
        this.settings = settings;
        this.policy = new UrlPolicy(settings.allowInsecureLocal());
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

    /** The URL checks this client makes before every request; other connections to user URLs use them too. */
    public UrlPolicy policy() {
        return policy;
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
        long deadline = System.nanoTime() + budget(options).toNanos();
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
        long deadline = System.nanoTime() + budget(options).toNanos();
        check(request.url(), options, deadline, false);
        return send(request, options, deadline);
    }

    private Duration budget(Options options) {
        return options.timeout() != null ? options.timeout() : settings.timeout();
    }

    private void check(URI url, Options options, long deadline, boolean redirected) {
        String shown = withoutUserInfo(url);
        policy.check(url, options.allowPlainHttp(), deadline, redirected ? "redirect to " + shown : shown);
    }

    private Response send(Request spec, Options options, long deadline) {
        int limit = limit(options);
        HttpResponse<byte[]> r = send(spec, options, deadline, info -> capped(info, limit, spec.url(), new MemorySink()));
        return new Response(spec.url(), r.statusCode(), r.headers(), r.body());
    }

    private int limit(Options options) {
        return options.maxResponseBytes() > 0 ? options.maxResponseBytes() : settings.maxResponseBytes();
    }

    private <T> HttpResponse<T> send(Request spec, Options options, long deadline, HttpResponse.BodyHandler<T> body) {
        URI url = spec.url();
        HttpRequest.Builder builder = HttpRequest.newBuilder(url)
                .timeout(Duration.ofNanos(remainingNanos(deadline, url, options)))
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
        Future<HttpResponse<T>> exchange = workers.submit(() -> client.send(request, body));
        try {
            return exchange.get(remainingNanos(deadline, url, options), TimeUnit.NANOSECONDS);
        } catch (TimeoutException e) {
            exchange.cancel(true); // interrupting send() cancels the exchange
            throw timeout(url, options);
        } catch (ExecutionException e) {
            Throwable cause = e.getCause();
            for (Throwable t = cause; t != null; t = t.getCause()) {
                if (t instanceof FetchException f) {
                    throw f; // the JDK wraps what our body subscriber failed with
                }
            }
            if (cause instanceof HttpTimeoutException) {
                throw timeout(url, options);
            }
            throw new FetchException("cannot fetch " + url + ": " + describe(cause), cause);
        } catch (InterruptedException e) {
            exchange.cancel(true);
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + url, e);
        }
    }

    /**
     * A response whose body went to a file instead of memory.
     *
     * @param uri     the URL that answered, after redirects
     * @param status  the HTTP status
     * @param headers the response headers
     * @param bytes   how many body bytes were written to the file
     */
    public record Download(URI uri, int status, HttpHeaders headers, long bytes) {
        public boolean ok() {
            return status >= 200 && status < 300;
        }
    }

    /**
     * Like {@link #get}, but streams the body into {@code file} (replacing what it held) instead of memory, so
     * that large bodies (blobs) cost disk, not heap. The size limit and the deadline hold as for {@link #get}.
     */
    public Download download(URI url, Options options, Path file) {
        long deadline = System.nanoTime() + budget(options).toNanos();
        int limit = limit(options);
        URI current = url;
        for (int hop = 0; ; hop++) {
            check(current, options, deadline, hop > 0);
            URI at = current;
            HttpResponse<Long> r = send(Request.get(current), options, deadline,
                    info -> capped(info, limit, at, new FileSink(file)));
            if (!isRedirect(r.statusCode())) {
                return new Download(current, r.statusCode(), r.headers(), r.body());
            }
            if (hop == settings.maxRedirects()) {
                throw new FetchException("too many redirects fetching " + url + " (more than "
                        + settings.maxRedirects() + ")");
            }
            current = redirectTarget(current, new Response(current, r.statusCode(), r.headers(), new byte[0]));
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

    private long remainingNanos(long deadline, URI url, Options options) {
        long left = deadline - System.nanoTime();
        if (left <= 0) {
            throw timeout(url, options);
        }
        return left;
    }

    private FetchException timeout(URI url, Options options) {
        return new FetchException("cannot fetch " + url + ": no complete response within "
                + budget(options).toMillis() + " ms");
    }

    private static String describe(Throwable t) {
        String message = t.getMessage();
        return message == null || message.isBlank() ? t.getClass().getSimpleName() : message;
    }

    /** Reads the body up to {@code limit} bytes into {@code sink} and fails as soon as it grows past it. */
    private static <T> BodySubscriber<T> capped(HttpResponse.ResponseInfo info, int limit, URI url, Sink<T> sink) {
        OptionalLong declared = info.headers().firstValueAsLong("Content-Length");
        return new CappedBody<>(limit, url, declared.isPresent() && declared.getAsLong() > limit, sink);
    }

    /** Where a body goes. */
    private interface Sink<T> {
        void write(ByteBuffer chunk) throws IOException;

        T finish() throws IOException;

        default void abandon() {}
    }

    private static final class MemorySink implements Sink<byte[]> {
        private final ByteArrayOutputStream buffer = new ByteArrayOutputStream();

        @Override
        public void write(ByteBuffer chunk) {
            byte[] bytes = new byte[chunk.remaining()];
            chunk.get(bytes);
            buffer.writeBytes(bytes);
        }

        @Override
        public byte[] finish() {
            return buffer.toByteArray();
        }
    }

    private static final class FileSink implements Sink<Long> {
        private final Path file;
        private FileChannel channel;
        private long written;

        FileSink(Path file) {
            this.file = file;
        }

        @Override
        public void write(ByteBuffer chunk) throws IOException {
            if (channel == null) {
                channel = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING);
            }
            while (chunk.hasRemaining()) {
                written += channel.write(chunk);
            }
        }

        @Override
        public Long finish() throws IOException {
            if (channel == null) {
                Files.write(file, new byte[0]); // an empty body: the file says so too
            } else {
                channel.close();
            }
            return written;
        }

        @Override
        public void abandon() {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException ignored) {
                    // the caller deletes the file
                }
            }
        }
    }

    private static final class CappedBody<T> implements BodySubscriber<T> {
        private final int limit;
        private final URI url;
        private final boolean declaredTooLarge;
        private final Sink<T> sink;
        private final CompletableFuture<T> result = new CompletableFuture<>();
        private Flow.Subscription subscription;
        private long size;

        CappedBody(int limit, URI url, boolean declaredTooLarge, Sink<T> sink) {
            this.limit = limit;
            this.url = url;
            this.declaredTooLarge = declaredTooLarge;
            this.sink = sink;
        }

        @Override
        public CompletionStage<T> getBody() {
            return result;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            this.subscription = s;
            if (declaredTooLarge) {
                s.cancel();
                fail(tooLarge());
                return;
            }
            s.request(1);
        }

        @Override
        public void onNext(List<ByteBuffer> items) {
            for (ByteBuffer item : items) {
                if (size + item.remaining() > limit) {
                    subscription.cancel();
                    fail(tooLarge());
                    return;
                }
                size += item.remaining();
                try {
                    sink.write(item);
                } catch (IOException e) {
                    subscription.cancel();
                    fail(new FetchException("cannot store the response from " + url + ": " + e.getMessage(), e));
                    return;
                }
            }
            subscription.request(1);
        }

        @Override
        public void onError(Throwable throwable) {
            fail(throwable);
        }

        @Override
        public void onComplete() {
            try {
                result.complete(sink.finish());
            } catch (IOException e) {
                fail(new FetchException("cannot store the response from " + url + ": " + e.getMessage(), e));
            }
        }

        private void fail(Throwable t) {
            sink.abandon();
            result.completeExceptionally(t);
        }

        private ResponseTooLargeException tooLarge() {
            return new ResponseTooLargeException("refused the response from " + url + ": larger than " + limit
                    + " bytes");
        }
    }

    @Override
    public void close() {
        client.shutdownNow();
        policy.close();
        workers.shutdownNow();
    }
}
