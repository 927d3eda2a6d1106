package dev.atpin.identity.net;

import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.util.Optional;
import java.util.Set;

/**
 * Which IP addresses a fetch of a user-supplied URL may connect to: only globally routable unicast ones.
 *
 * <p>Everything else could reach this service's own network (its database, Kubo RPC ports, cloud metadata at
 * 169.254.169.254, other tenants' internal services) on behalf of whoever chose the URL. IPv6 forms that embed
 * an IPv4 address (mapped, compatible, NAT64, 6to4) are judged by the IPv4 address inside them, so
 * {@code ::ffff:127.0.0.1} is loopback like {@code 127.0.0.1}.
 */
public final class AddressPolicy {

    private AddressPolicy() {}

    /**
     * Why an address must not be connected to, or empty when it is a public unicast address.
     *
     * @return a short category such as {@code "loopback"} or {@code "private"}
     */
    public static Optional<String> forbidden(InetAddress address) {
        if (address instanceof Inet4Address v4) {
            return forbiddenV4(v4.getAddress());
        }
        if (address instanceof Inet6Address v6) {
            return forbiddenV6(v6.getAddress());
        }
        return Optional.of("unknown address family");
    }

    /**
     * Whether a {@link #forbidden} category is the operator's own network (loopback, private, unique-local,
     * carrier-grade NAT): what origin dials may reach with {@code atpin.dispatch.dial-private-origins}, and where
     * infrastructure such as Kubo RPC APIs lives. Link-local (cloud metadata at 169.254.169.254) and every other
     * special range never are.
     */
    public static boolean isLocalNetwork(String category) {
        return LOCAL_NETWORK.contains(category);
    }

    private static final Set<String> LOCAL_NETWORK =
            Set.of("loopback", "private", "unique-local", "shared (carrier-grade NAT)");

    /** Whether the address is a loopback address, including IPv4 loopback embedded in IPv6. */
    public static boolean isLoopback(InetAddress address) {
        return forbidden(address).filter("loopback"::equals).isPresent();
    }

    private static Optional<String> forbiddenV4(byte[] a) {
        int b0 = a[0] & 0xff;
        int b1 = a[1] & 0xff;
        int b2 = a[2] & 0xff;
        String why = null;
        if (b0 == 0) {
            why = "unspecified";
        } else if (b0 == 127) {
            why = "loopback";
        } else if (b0 == 10 || (b0 == 172 && (b1 & 0xf0) == 16) || (b0 == 192 && b1 == 168)) {
            why = "private";
        } else if (b0 == 169 && b1 == 254) {
            why = "link-local";
        } else if (b0 == 100 && (b1 & 0xc0) == 64) {
            why = "shared (carrier-grade NAT)";
        } else if (b0 == 192 && b1 == 0 && b2 == 0) {
            why = "reserved (IETF protocol assignments)";
        } else if ((b0 == 192 && b1 == 0 && b2 == 2) || (b0 == 198 && b1 == 51 && b2 == 100)
                || (b0 == 203 && b1 == 0 && b2 == 113)) {
            why = "documentation";
        } else if (b0 == 198 && (b1 & 0xfe) == 18) {
            why = "benchmarking";
        } else if (b0 >= 224 && b0 <= 239) {
            why = "multicast";
        } else if (b0 >= 240) {
            why = "reserved";
        }
        return Optional.ofNullable(why);
    }

    private static Optional<String> forbiddenV6(byte[] a) {
        if (allZero(a, 0, 10) && (a[10] & 0xff) == 0xff && (a[11] & 0xff) == 0xff) {
            return forbiddenV4(slice(a, 12)); // ::ffff:a.b.c.d
        }
        if (allZero(a, 0, 12)) {
            if (allZero(a, 12, 15) && a[15] == 0) {
                return Optional.of("unspecified");
            }
            if (allZero(a, 12, 15) && a[15] == 1) {
                return Optional.of("loopback");
            }
            // ::a.b.c.d, deprecated "IPv4-compatible"
            return forbiddenV4(slice(a, 12)).or(() -> Optional.of("reserved (IPv4-compatible)"));
        }
        int w0 = ((a[0] & 0xff) << 8) | (a[1] & 0xff);
        int w1 = ((a[2] & 0xff) << 8) | (a[3] & 0xff);
        if (w0 == 0x0064 && w1 == 0xff9b) {
            // NAT64: 64:ff9b::/96 well-known prefix embeds the IPv4 target; 64:ff9b:1::/48 is for local use
            return allZero(a, 4, 12) ? forbiddenV4(slice(a, 12)) : Optional.of("reserved (local NAT64)");
        }
        if (w0 == 0x2002) {
            return forbiddenV4(slice(a, 2)); // 6to4 embeds the IPv4 gateway
        }
        if ((w0 & 0xfe00) == 0xfc00) {
            return Optional.of("unique-local");
        }
        if ((w0 & 0xffc0) == 0xfe80) {
            return Optional.of("link-local");
        }
        if ((w0 & 0xffc0) == 0xfec0) {
            return Optional.of("site-local");
        }
        if ((w0 & 0xff00) == 0xff00) {
            return Optional.of("multicast");
        }
        if (w0 == 0x2001 && w1 == 0x0db8) {
            return Optional.of("documentation");
        }
        if (w0 == 0x2001 && w1 < 0x0200) {
            return Optional.of("reserved (IETF special purpose, incl. Teredo)");
        }
        if (w0 == 0x0100 && w1 == 0 && allZero(a, 4, 8)) {
            return Optional.of("reserved (discard-only)");
        }
        if ((w0 & 0xe000) != 0x2000) {
            return Optional.of("reserved (outside global unicast 2000::/3)");
        }
        return Optional.empty();
    }

    private static boolean allZero(byte[] a, int from, int to) {
        for (int i = from; i < to; i++) {
            if (a[i] != 0) {
                return false;
            }
        }
        return true;
    }

    private static byte[] slice(byte[] a, int from) {
        byte[] v4 = new byte[4];
        System.arraycopy(a, from, v4, 0, 4);
        return v4;
    }
}
