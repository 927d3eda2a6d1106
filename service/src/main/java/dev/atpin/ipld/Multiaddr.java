package dev.atpin.ipld;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.Set;

/**
 * A multiaddr in its text form, such as {@code /ip4/192.0.2.1/tcp/4001/p2p/12D3KooW…}, as the IPFS Pinning
 * Service API uses for {@code origins} and {@code delegates}.
 *
 * <p>Parsing is syntactic and never touches the network: IP literals are checked by hand-written parsers, DNS
 * names only for their shape. Only the protocols listed in the class body are accepted, because an address the
 * service cannot understand is one it must not pass on. The text is normalized: the {@code ipfs} alias becomes
 * {@code p2p}, peer IDs become base58btc multihashes, IPv6 addresses take their RFC 5952 form, ports lose
 * leading zeros and a single trailing slash is dropped. Equality compares the normalized text.
 */
public final class Multiaddr {

    /** The longest text {@link #parse} accepts, in characters. */
    public static final int MAX_LENGTH = 1024;

    /** Libp2p peer IDs up to this many bytes are inlined as an identity multihash rather than hashed. */
    private static final int MAX_IDENTITY_PEER_ID_LENGTH = 42;

    /**
     * One protocol of a multiaddr.
     *
     * @param protocol the canonical protocol name, for example {@code tcp}
     * @param value    the normalized value, or null for protocols that take none (for {@code unix}, the path
     *                 including its leading slash)
     */
    public record Component(String protocol, String value) {
        /**
         * Checks that the protocol is present.
         */
        public Component {
            Objects.requireNonNull(protocol, "protocol");
        }
    }

    /** How a protocol's value is validated and normalized. */
    private enum Kind { NONE, IP4, IP6, PORT, HOSTNAME, PEER_ID, CERTHASH, PATH, ZONE, HTTP_PATH }

    private static final Map<String, Kind> PROTOCOLS = Map.ofEntries(
            Map.entry("ip4", Kind.IP4),
            Map.entry("ip6", Kind.IP6),
            Map.entry("ip6zone", Kind.ZONE),
            Map.entry("tcp", Kind.PORT),
            Map.entry("udp", Kind.PORT),
            Map.entry("sctp", Kind.PORT),
            Map.entry("dccp", Kind.PORT),
            Map.entry("dns", Kind.HOSTNAME),
            Map.entry("dns4", Kind.HOSTNAME),
            Map.entry("dns6", Kind.HOSTNAME),
            Map.entry("dnsaddr", Kind.HOSTNAME),
            Map.entry("sni", Kind.HOSTNAME),
            Map.entry("p2p", Kind.PEER_ID),
            Map.entry("certhash", Kind.CERTHASH),
            Map.entry("unix", Kind.PATH),
            Map.entry("http-path", Kind.HTTP_PATH),
            Map.entry("quic", Kind.NONE),
            Map.entry("quic-v1", Kind.NONE),
            Map.entry("webtransport", Kind.NONE),
            Map.entry("ws", Kind.NONE),
            Map.entry("wss", Kind.NONE),
            Map.entry("tls", Kind.NONE),
            Map.entry("http", Kind.NONE),
            Map.entry("https", Kind.NONE),
            Map.entry("p2p-circuit", Kind.NONE),
            Map.entry("webrtc", Kind.NONE),
            Map.entry("webrtc-direct", Kind.NONE),
            Map.entry("noise", Kind.NONE),
            Map.entry("yamux", Kind.NONE),
            Map.entry("mplex", Kind.NONE),
            Map.entry("utp", Kind.NONE),
            Map.entry("udt", Kind.NONE));

    /** Older names that mean the same protocol; the value is the canonical name. */
    private static final Map<String, String> ALIASES = Map.of("ipfs", "p2p");

    private static final Set<String> HOST_PROTOCOLS = Set.of("ip4", "ip6", "dns", "dns4", "dns6", "dnsaddr");
    private static final Set<String> PORT_PROTOCOLS = Set.of("tcp", "udp");

    private final String text;
    private final List<Component> components;

    private Multiaddr(String text, List<Component> components) {
        this.text = text;
        this.components = components;
    }

    /**
     * Parses and normalizes a multiaddr string.
     *
     * @param text for example {@code /dns4/example.com/tcp/443/wss/p2p/Qm…}
     * @return the multiaddr
     * @throws IpldException for any malformed input (the only exception this method throws); the message starts
     *                       with "invalid multiaddr: " and says what is wrong
     */
    public static Multiaddr parse(String text) {
        try {
            return parseText(text);
        } catch (IpldException e) {
            throw new IpldException("invalid multiaddr: " + e.getMessage(), e);
        }
    }

    /**
     * Tells whether {@link #parse} would accept the text.
     *
     * @param text the candidate, may be null
     * @return true if it is a valid multiaddr
     */
    public static boolean isValid(String text) {
        try {
            parseText(text);
            return true;
        } catch (IpldException e) {
            return false;
        }
    }

    private static Multiaddr parseText(String text) {
        if (text == null || text.isEmpty()) {
            throw new IpldException("empty");
        }
        if (text.length() > MAX_LENGTH) {
            throw new IpldException("too long (" + text.length() + " characters, at most " + MAX_LENGTH + ")");
        }
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c <= 0x20 || c >= 0x7f) {
                throw new IpldException("character " + BaseCoding.describe(c) + " at index " + i
                        + " is not printable ASCII");
            }
        }
        if (text.charAt(0) != '/') {
            throw new IpldException("must start with '/'");
        }
        String body = text.length() > 1 && text.endsWith("/") ? text.substring(0, text.length() - 1) : text;
        if (body.length() == 1) {
            throw new IpldException("no protocols");
        }
        String[] parts = body.substring(1).split("/", -1);
        List<Component> components = new ArrayList<>();
        for (int i = 0; i < parts.length; i++) {
            String name = parts[i];
            if (name.isEmpty()) {
                throw new IpldException("empty protocol name after component " + components.size());
            }
            String protocol = ALIASES.getOrDefault(name, name);
            Kind kind = PROTOCOLS.get(protocol);
            if (kind == null) {
                throw new IpldException("unknown protocol " + quote(name));
            }
            if (kind == Kind.NONE) {
                components.add(new Component(protocol, null));
                continue;
            }
            if (kind == Kind.PATH) {
                // A unix socket path contains slashes, so it swallows everything after the protocol name.
                String path = String.join("/", List.of(parts).subList(i + 1, parts.length));
                if (path.isEmpty()) {
                    throw new IpldException("protocol 'unix' needs a path");
                }
                components.add(new Component(protocol, "/" + path));
                break;
            }
            if (i + 1 >= parts.length || parts[i + 1].isEmpty()) {
                throw new IpldException("protocol " + quote(name) + " needs a value");
            }
            components.add(new Component(protocol, normalizeValue(kind, protocol, parts[++i])));
        }
        return new Multiaddr(render(components), List.copyOf(components));
    }

    private static String normalizeValue(Kind kind, String protocol, String value) {
        return switch (kind) {
            case IP4 -> {
                if (NetSyntax.parseIp4(value) == null) {
                    throw new IpldException("invalid ip4 address " + quote(value));
                }
                yield value;
            }
            case IP6 -> {
                byte[] address = NetSyntax.parseIp6(value);
                if (address == null) {
                    throw new IpldException("invalid ip6 address " + quote(value));
                }
                yield NetSyntax.formatIp6(address);
            }
            case PORT -> Integer.toString(parsePort(protocol, value));
            case HOSTNAME -> {
                if (!NetSyntax.isHostname(value)) {
                    throw new IpldException("invalid " + protocol + " host name " + quote(value));
                }
                yield value;
            }
            case PEER_ID -> normalizePeerId(value);
            case CERTHASH -> {
                try {
                    Multihash.decode(Multibase.decode(value));
                } catch (IpldException e) {
                    throw new IpldException("invalid certhash " + quote(value) + ": " + e.getMessage(), e);
                }
                yield value;
            }
            case HTTP_PATH -> {
                checkPercentEscapes(value);
                yield value;
            }
            case ZONE -> value;
            case NONE, PATH -> throw new IllegalStateException("handled by the caller: " + kind);
        };
    }

    private static int parsePort(String protocol, String value) {
        if (value.length() > 5 || !value.chars().allMatch(c -> c >= '0' && c <= '9')) {
            throw new IpldException("invalid " + protocol + " port " + quote(value));
        }
        int port = Integer.parseInt(value);
        if (port > 65535) {
            throw new IpldException(protocol + " port " + port + " is out of range 0-65535");
        }
        return port;
    }

    private static void checkPercentEscapes(String value) {
        for (int i = 0; i < value.length(); i++) {
            if (value.charAt(i) == '%') {
                if (i + 2 >= value.length() || NetSyntax.hexDigit(value.charAt(i + 1)) < 0
                        || NetSyntax.hexDigit(value.charAt(i + 2)) < 0) {
                    throw new IpldException("invalid percent escape in http-path " + quote(value));
                }
                i += 2;
            }
        }
    }

    /**
     * Decodes a peer ID as the libp2p peer-id spec describes: text starting with {@code 1} or {@code Qm} is a
     * bare base58btc multihash, anything else a multibase CIDv1 with the libp2p-key codec. The result is the
     * base58btc multihash, the form go-libp2p and kubo print.
     */
    private static String normalizePeerId(String value) {
        Multihash multihash;
        try {
            if (value.startsWith("1") || value.startsWith("Qm")) {
                multihash = Multihash.decode(Base58.decode(value));
            } else {
                Cid cid = Cid.parse(value);
                if (cid.codec() != Cid.LIBP2P_KEY) {
                    throw new IpldException("a peer ID CID must have the libp2p-key codec 0x72, not 0x"
                            + Long.toHexString(cid.codec()));
                }
                multihash = cid.multihash();
            }
        } catch (IpldException e) {
            throw new IpldException("invalid peer ID " + quote(value) + ": " + e.getMessage(), e);
        }
        boolean identity = multihash.code() == Multihash.IDENTITY;
        if (!identity && multihash.code() != Multihash.SHA2_256) {
            throw new IpldException("invalid peer ID " + quote(value)
                    + ": must be an identity or sha2-256 multihash");
        }
        int length = multihash.digest().length;
        if (identity && (length == 0 || length > MAX_IDENTITY_PEER_ID_LENGTH)) {
            throw new IpldException("invalid peer ID " + quote(value) + ": an identity peer ID must hold 1 to "
                    + MAX_IDENTITY_PEER_ID_LENGTH + " bytes");
        }
        return Base58.encode(multihash.bytes());
    }

    private static String render(List<Component> components) {
        StringBuilder out = new StringBuilder();
        for (Component component : components) {
            out.append('/').append(component.protocol());
            if (component.value() != null) {
                // The unix path already starts with its own slash.
                if (!component.protocol().equals("unix")) {
                    out.append('/');
                }
                out.append(component.value());
            }
        }
        return out.toString();
    }

    /** Quotes a value for an error message, shortened so that a long input does not flood logs. */
    private static String quote(String value) {
        return "'" + (value.length() > 64 ? value.substring(0, 64) + "..." : value) + "'";
    }

    /**
     * The protocols in order.
     *
     * @return an unmodifiable list with at least one element
     */
    public List<Component> components() {
        return components;
    }

    /**
     * The peer this address reaches: the value of the last {@code p2p} component, unless a {@code p2p-circuit}
     * follows it (then the address names a relay but not the peer behind it).
     *
     * @return the base58btc peer ID, if the address names one
     */
    public Optional<String> peerId() {
        for (int i = components.size() - 1; i >= 0; i--) {
            String protocol = components.get(i).protocol();
            if (protocol.equals("p2p-circuit")) {
                return Optional.empty();
            }
            if (protocol.equals("p2p")) {
                return Optional.of(components.get(i).value());
            }
        }
        return Optional.empty();
    }

    /**
     * Tells whether the last component is {@code /p2p/<peer ID>}.
     *
     * @return true if the address ends with a peer ID
     */
    public boolean endsWithPeerId() {
        return components.getLast().protocol().equals("p2p");
    }

    /**
     * The address with {@code /p2p/<peerId>} appended, unless it already ends with that peer ID.
     *
     * @param peerId a peer ID in any form {@code /p2p} accepts
     * @return this address, or a new one ending with the peer ID
     * @throws IpldException if the peer ID is invalid, the address already ends with a different peer ID, or
     *                       the result would exceed {@link #MAX_LENGTH}
     */
    public Multiaddr withPeerId(String peerId) {
        String normalized;
        try {
            normalized = normalizePeerId(Objects.requireNonNullElse(peerId, ""));
        } catch (IpldException e) {
            throw new IpldException("cannot append peer ID: " + e.getMessage(), e);
        }
        if (endsWithPeerId()) {
            if (components.getLast().value().equals(normalized)) {
                return this;
            }
            throw new IpldException("multiaddr already ends with a different peer ID");
        }
        return parse(text + "/p2p/" + normalized);
    }

    /**
     * The host of the first {@code ip4}, {@code ip6} or {@code dns*} component.
     *
     * @return the IP literal or DNS name, if the address has one
     */
    public Optional<String> host() {
        return components.stream()
                .filter(c -> HOST_PROTOCOLS.contains(c.protocol()))
                .map(Component::value)
                .findFirst();
    }

    /**
     * The port of the first {@code tcp} or {@code udp} component.
     *
     * @return the port, if the address has one
     */
    public OptionalInt port() {
        return components.stream()
                .filter(c -> PORT_PROTOCOLS.contains(c.protocol()))
                .mapToInt(c -> Integer.parseInt(c.value()))
                .findFirst();
    }

    /**
     * The address of the first {@code ip4} or {@code ip6} component, built from its bytes so that no DNS
     * lookup happens. DNS names give an empty result; resolving them is the caller's decision. As everywhere in
     * Java, an IPv4-mapped IPv6 address ({@code ::ffff:a.b.c.d}) comes back as an {@link java.net.Inet4Address}.
     *
     * @return the IP address, if the address has an IP literal
     */
    public Optional<InetAddress> ipAddress() {
        for (Component component : components) {
            byte[] bytes = switch (component.protocol()) {
                case "ip4" -> NetSyntax.parseIp4(component.value());
                case "ip6" -> NetSyntax.parseIp6(component.value());
                default -> null;
            };
            if (bytes != null) {
                try {
                    return Optional.of(InetAddress.getByAddress(bytes));
                } catch (UnknownHostException e) {
                    // Only thrown for an array that is neither 4 nor 16 bytes, which the parsers never return.
                    throw new IllegalStateException(e);
                }
            }
        }
        return Optional.empty();
    }

    /**
     * The normalized text form.
     *
     * @return for example {@code /ip4/192.0.2.1/tcp/4001}
     */
    @Override
    public String toString() {
        return text;
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof Multiaddr that && text.equals(that.text);
    }

    @Override
    public int hashCode() {
        return text.hashCode();
    }
}
