package dev.atpin.testing;

import java.net.InetAddress;
import java.net.UnknownHostException;
import java.net.spi.InetAddressResolver;
import java.net.spi.InetAddressResolverProvider;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Answers address lookups for a few fixed names under {@code example.com} inside the test JVM, so tests can
 * show what happens when a user-supplied host name resolves to loopback or private addresses, without any
 * DNS query leaving the process. Every other name goes to the JDK's own resolver unchanged.
 *
 * <p>Registered through {@code META-INF/services/java.net.spi.InetAddressResolverProvider} on the test
 * classpath; the JDK loads it at the first lookup of the JVM.
 */
public final class TestHostsResolverProvider extends InetAddressResolverProvider {

    /** The names this resolver answers, and their addresses. */
    public static final Map<String, String> HOSTS = Map.of(
            "loopback.example.com", "127.0.0.1",
            "loopback6.example.com", "::1",
            "private.example.com", "10.0.0.7",
            "metadata.example.com", "169.254.169.254",
            "ula.example.com", "fd00::7",
            "mixed.example.com", "93.184.215.14,10.0.0.7",
            "public.example.com", "93.184.215.14");

    private static final String DOMAIN = ".example.com";

    @Override
    public InetAddressResolver get(Configuration configuration) {
        InetAddressResolver builtin = configuration.builtinResolver();
        return new InetAddressResolver() {
            @Override
            public Stream<InetAddress> lookupByName(String host, LookupPolicy policy) throws UnknownHostException {
                String name = host.toLowerCase(java.util.Locale.ROOT);
                if (!name.endsWith(DOMAIN)) {
                    return builtin.lookupByName(host, policy);
                }
                String addresses = HOSTS.get(name);
                if (addresses == null) {
                    // never ask real DNS about test names
                    throw new UnknownHostException(host + " (unknown test host)");
                }
                InetAddress[] out = new InetAddress[addresses.split(",").length];
                int i = 0;
                for (String literal : addresses.split(",")) {
                    out[i++] = InetAddress.getByAddress(host, InetAddress.getByName(literal).getAddress());
                }
                return Stream.of(out);
            }

            @Override
            public String lookupByAddress(byte[] addr) throws UnknownHostException {
                return builtin.lookupByAddress(addr);
            }
        };
    }

    @Override
    public String name() {
        return "atpin-test-hosts";
    }
}
