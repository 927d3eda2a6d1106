package dev.atpin.identity.net;

import dev.atpin.ipld.IpldException;
import dev.atpin.ipld.Multiaddr;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Turns a pin request's {@code origins} (multiaddrs a user chose) into addresses Kubo may dial: resolved here,
 * checked against {@link AddressPolicy}, and handed on as IP literals, so that Kubo never resolves a name
 * itself (it would connect wherever the name points at that moment, private networks included).
 *
 * <ul>
 *   <li>{@code /ip4}, {@code /ip6}: the address itself must pass the policy;</li>
 *   <li>{@code /dns}, {@code /dns4}, {@code /dns6}: the name is resolved (A and/or AAAA as the protocol says);
 *       every address must pass, and each becomes an {@code /ip4} or {@code /ip6} origin ({@code /wss} becomes
 *       {@code /tls/sni/<name>/ws}, so TLS still checks the name);</li>
 *   <li>{@code /dnsaddr}: the TXT records of {@code _dnsaddr.<name>} are followed (a few levels, a few
 *       entries, only those for the same peer) and each result is judged as above;</li>
 *   <li>{@code /p2p/<peer>} alone names no address (Kubo finds the peer itself) and passes; anything else that
 *       does not start with a host, or names a second host further on, is refused.</li>
 * </ul>
 */
public final class OriginDials implements AutoCloseable {

    private static final Logger LOG = Logger.getLogger(OriginDials.class);
    private static final Set<String> NAMES = Set.of("dns", "dns4", "dns6");
    private static final Set<String> HOSTS = Set.of("ip4", "ip6", "dns", "dns4", "dns6", "dnsaddr");
    /** Addresses one origin may expand to, and how deep {@code dnsaddr} records are followed. */
    static final int MAX_ADDRESSES = 8;
    static final int MAX_DNSADDR_DEPTH = 3;

    private final Function<String, List<String>> txt;
    private final Duration lookupTimeout;
    private final ExecutorService lookups = Executors.newVirtualThreadPerTaskExecutor();

    /**
     * @param txt           TXT lookup (the strings of each record) for {@code _dnsaddr.} names
     * @param lookupTimeout time allowed for each address lookup
     */
    public OriginDials(Function<String, List<String>> txt, Duration lookupTimeout) {
        this.txt = txt;
        this.lookupTimeout = lookupTimeout;
    }

    /**
     * The multiaddrs to dial for {@code origin}; empty when it is refused or does not resolve.
     *
     * @param allowPrivate local runs and tests only: loopback and private addresses pass too
     */
    public List<String> dialable(String origin, boolean allowPrivate) {
        List<String> out = new ArrayList<>();
        try {
            expand(Multiaddr.parse(origin), allowPrivate, 0, out);
        } catch (IpldException | Refused e) {
            LOG.debugf("origin %s not dialled: %s", origin, e.getMessage());
            return List.of();
        }
        return out;
    }

    private static final class Refused extends Exception {
        Refused(String message) {
            super(message, null, false, false);
        }
    }

    private void expand(Multiaddr addr, boolean allowPrivate, int depth, List<String> out) throws Refused {
        List<Multiaddr.Component> parts = addr.components();
        Multiaddr.Component first = parts.getFirst();
        for (int i = 1; i < parts.size(); i++) {
            if (HOSTS.contains(parts.get(i).protocol())) {
                throw new Refused("a second host further on");
            }
        }
        switch (first.protocol()) {
            case "p2p" -> add(out, addr.toString());
            case "ip4", "ip6" -> {
                check(addr.ipAddress().orElseThrow(), allowPrivate);
                add(out, addr.toString());
            }
            case "dns", "dns4", "dns6" -> {
                List<InetAddress> addresses = resolve(first.value(), first.protocol());
                for (InetAddress a : addresses) {
                    check(a, allowPrivate); // one bad address refuses the name: it may be the one used
                }
                for (InetAddress a : addresses) {
                    add(out, literal(a, first.value(), parts));
                }
            }
            case "dnsaddr" -> {
                if (depth >= MAX_DNSADDR_DEPTH) {
                    throw new Refused("dnsaddr records nested deeper than " + MAX_DNSADDR_DEPTH);
                }
                Optional<String> peer = addr.peerId();
                for (String record : txt.apply("_dnsaddr." + first.value())) {
                    if (!record.startsWith("dnsaddr=") || out.size() >= MAX_ADDRESSES) {
                        continue;
                    }
                    try {
                        Multiaddr next = Multiaddr.parse(record.substring("dnsaddr=".length()));
                        if (peer.isEmpty() || peer.equals(next.peerId())) {
                            expand(next, allowPrivate, depth + 1, out);
                        }
                    } catch (IpldException | Refused e) {
                        LOG.debugf("dnsaddr entry %s of %s skipped: %s", record, first.value(), e.getMessage());
                    }
                }
            }
            default -> throw new Refused("it does not start with a host");
        }
    }

    private static void check(InetAddress address, boolean allowPrivate) throws Refused {
        Optional<String> forbidden = AddressPolicy.forbidden(address);
        if (forbidden.isEmpty() || allowPrivate && AddressPolicy.isLocalNetwork(forbidden.get())) {
            return;
        }
        throw new Refused(address.getHostAddress() + " is a " + forbidden.get() + " address");
    }

    private List<InetAddress> resolve(String name, String protocol) throws Refused {
        CompletableFuture<InetAddress[]> lookup = CompletableFuture.supplyAsync(() -> {
            try {
                return InetAddress.getAllByName(name);
            } catch (UnknownHostException e) {
                return new InetAddress[0];
            }
        }, lookups);
        InetAddress[] all;
        try {
            all = lookup.get(lookupTimeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (Exception e) {
            lookup.cancel(true);
            throw new Refused("looking up " + name + " failed or took too long");
        }
        List<InetAddress> out = new ArrayList<>();
        for (InetAddress a : all) {
            boolean wanted = switch (protocol) {
                case "dns4" -> a instanceof Inet4Address;
                case "dns6" -> a instanceof Inet6Address;
                default -> true;
            };
            if (wanted) {
                out.add(a);
            }
        }
        if (out.isEmpty()) {
            throw new Refused(name + " does not resolve");
        }
        return out;
    }

    /** The origin with its name replaced by the address; a {@code wss} keeps the name for TLS as SNI. */
    private static String literal(InetAddress address, String name, List<Multiaddr.Component> parts) {
        StringBuilder out = new StringBuilder(address instanceof Inet4Address ? "/ip4/" : "/ip6/")
                .append(address.getHostAddress().replaceAll("%.*$", ""));
        for (Multiaddr.Component c : parts.subList(1, parts.size())) {
            if (c.protocol().equals("wss")) {
                out.append("/tls/sni/").append(name).append("/ws");
                continue;
            }
            out.append('/').append(c.protocol());
            if (c.value() != null) {
                out.append(c.protocol().equals("unix") ? c.value() : "/" + c.value());
            }
        }
        return Multiaddr.parse(out.toString()).toString();
    }

    private static void add(List<String> out, String addr) {
        if (out.size() < MAX_ADDRESSES && !out.contains(addr)) {
            out.add(addr);
        }
    }

    @Override
    public void close() {
        lookups.shutdownNow();
    }
}
