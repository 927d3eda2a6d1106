package dev.atpin.identity.net;

import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Whether a URL that came from a user (or a document a user controls) may be connected to, checked right
 * before each connection: {@link SafeHttpClient} calls it for every request and redirect hop, the firehose
 * consumer for every (re)connect of its WebSocket.
 *
 * <ul>
 *   <li>{@code https}/{@code wss} on port 443 only; {@code http}/{@code ws} on port 80 only, and only when the
 *       caller allows plain connections;</li>
 *   <li>no credentials in the URL;</li>
 *   <li>the host is resolved, and every address it resolves to must pass {@link AddressPolicy}.</li>
 * </ul>
 *
 * <p>With {@code allowInsecureLocal} (local runs and tests only) plain http/ws, any port and loopback
 * addresses are allowed too; private, link-local and other special addresses stay refused.
 */
public final class UrlPolicy implements AutoCloseable {

    private final boolean allowInsecureLocal;
    // Lookups block in the resolver without a timeout of their own: each runs on a virtual thread that we
    // stop waiting for at the deadline.
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    public UrlPolicy(boolean allowInsecureLocal) {
        this.allowInsecureLocal = allowInsecureLocal;
    }

    public boolean allowsInsecureLocal() {
        return allowInsecureLocal;
    }

    /**
     * Checks {@code url}, resolving its host before {@code deadline} ({@link System#nanoTime()}).
     *
     * @param allowPlain also accept {@code http}/{@code ws} on port 80
     * @param what       how the URL is named in messages (e.g. "redirect to …")
     * @return the addresses the host resolved to, all allowed
     * @throws UnsafeUrlException if the URL is refused
     * @throws FetchException     if the host does not resolve in time
     */
    public List<InetAddress> check(URI url, boolean allowPlain, long deadline, String what) {
        String scheme = url.getScheme() == null ? "" : url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort();
        switch (scheme) {
            case "https", "wss" -> {
                if (port != -1 && port != 443 && !allowInsecureLocal) {
                    throw new UnsafeUrlException("refused " + what + ": only port 443 is allowed for " + scheme);
                }
            }
            case "http", "ws" -> {
                if (!allowPlain && !allowInsecureLocal) {
                    throw new UnsafeUrlException("refused " + what + ": only " + secure(scheme) + " URLs are allowed");
                }
                if (port != -1 && port != 80 && !allowInsecureLocal) {
                    throw new UnsafeUrlException("refused " + what + ": only port 80 is allowed for " + scheme);
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
        List<InetAddress> addresses = resolve(host, url, deadline);
        for (InetAddress address : addresses) {
            Optional<String> forbidden = AddressPolicy.forbidden(address);
            if (forbidden.isPresent() && !(allowInsecureLocal && AddressPolicy.isLoopback(address))) {
                throw new UnsafeUrlException("refused " + what + ": " + host + " resolves to "
                        + address.getHostAddress() + ", a " + forbidden.get() + " address");
            }
        }
        return addresses;
    }

    private static String secure(String scheme) {
        return scheme.startsWith("ws") ? "wss" : "https";
    }

    private List<InetAddress> resolve(String host, URI url, long deadline) {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        CompletableFuture<InetAddress[]> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getAllByName(name);
            } catch (UnknownHostException e) {
                throw new FetchException("cannot fetch " + url + ": unknown host " + name);
            }
        }, lookups);
        long left = deadline - System.nanoTime();
        try {
            if (left <= 0) {
                throw new TimeoutException();
            }
            return List.of(lookup.get(left, TimeUnit.NANOSECONDS));
        } catch (TimeoutException e) {
            lookup.cancel(true);
            throw new FetchException("cannot fetch " + url + ": looking up " + name + " took too long");
        } catch (ExecutionException e) {
            throw e.getCause() instanceof FetchException f ? f
                    : new FetchException("cannot fetch " + url + ": " + e.getCause(), e.getCause());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new FetchException("interrupted while fetching " + url, e);
        }
    }

    @Override
    public void close() {
        lookups.shutdownNow(); // not close(): that would wait for a lookup stuck in the system resolver
    }
}
