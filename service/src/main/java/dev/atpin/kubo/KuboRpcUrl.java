package dev.atpin.kubo;

import dev.atpin.identity.net.AddressPolicy;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * The address rule for a Kubo RPC URL an operator registers through the admin API. A Kubo node is infrastructure
 * like a configured one: it lives on the operator's own network, so loopback, private, unique-local and CGNAT
 * addresses are allowed (as for {@code atpin.kubo.nodes.*}), any port. What {@link AddressPolicy} refuses
 * beyond that stays refused — link-local (cloud metadata at 169.254.169.254), unspecified, multicast,
 * documentation and reserved ranges — for every address the host resolves to, so that an admin token cannot point
 * the service at the metadata endpoint. Credentials never go in the URL (they have their own field, sealed at
 * rest), and the URL is only a base: no path, query or fragment.
 */
public final class KuboRpcUrl {

    private KuboRpcUrl() {}

    /** Why {@code url} was refused, in a sentence for the operator. */
    public static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * Checks the form of {@code url} and resolves its host within {@code timeout}.
     *
     * @return the URL as stored (no trailing slash)
     */
    public static String check(String url, Duration timeout) throws Refused {
        URI uri;
        try {
            uri = new URI(url.strip());
        } catch (URISyntaxException e) {
            throw new Refused("rpcUrl is not a URL: " + e.getReason());
        }
        String scheme = Optional.ofNullable(uri.getScheme()).map(s -> s.toLowerCase(Locale.ROOT)).orElse("");
        if (!scheme.equals("http") && !scheme.equals("https")) {
            throw new Refused("rpcUrl must be an http or https URL, e.g. http://kubo-3.kubo:5001");
        }
        if (uri.getRawUserInfo() != null) {
            throw new Refused("rpcUrl must not carry credentials: send them as 'authorization'");
        }
        if (uri.getHost() == null || uri.getHost().isEmpty()) {
            throw new Refused("rpcUrl has no host");
        }
        if ((uri.getRawPath() != null && !uri.getRawPath().isEmpty() && !uri.getRawPath().equals("/"))
                || uri.getRawQuery() != null || uri.getRawFragment() != null) {
            throw new Refused("rpcUrl is the base of the RPC API (scheme, host, port): no path, query or fragment");
        }
        for (InetAddress address : resolve(uri.getHost(), timeout)) {
            Optional<String> forbidden = AddressPolicy.forbidden(address);
            if (isIpv6Metadata(address)) {
                forbidden = Optional.of("cloud metadata (fd00:ec2::254)"); // a unique-local address, but never a Kubo
            }
            if (forbidden.isPresent() && !AddressPolicy.isLocalNetwork(forbidden.get())) {
                throw new Refused("rpcUrl's host " + uri.getHost() + " resolves to " + address.getHostAddress()
                        + ", a " + forbidden.get() + " address");
            }
        }
        String text = uri.toString();
        return text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
    }

    /** AWS's IPv6 instance metadata endpoint sits inside unique-local space, which is otherwise allowed here. */
    private static boolean isIpv6Metadata(InetAddress address) {
        return address.getHostAddress().equals("fd00:ec2:0:0:0:0:0:254");
    }

    private static List<InetAddress> resolve(String host, Duration timeout) throws Refused {
        String name = host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
        // The system resolver has no timeout of its own: it runs on a virtual thread we stop waiting for.
        CompletableFuture<InetAddress[]> lookup = new CompletableFuture<>();
        Thread.ofVirtual().name("kubo-rpc-url-lookup").start(() -> {
            try {
                lookup.complete(InetAddress.getAllByName(name));
            } catch (UnknownHostException e) {
                lookup.completeExceptionally(e);
            }
        });
        try {
            return List.of(lookup.get(timeout.toMillis(), TimeUnit.MILLISECONDS));
        } catch (TimeoutException e) {
            throw new Refused("rpcUrl's host " + name + " did not resolve within " + timeout.toMillis() + " ms");
        } catch (ExecutionException e) {
            throw new Refused("rpcUrl's host " + name + " does not resolve");
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new Refused("interrupted while resolving " + name);
        }
    }
}
