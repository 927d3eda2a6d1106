package dev.atpin.identity;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Hashtable;
import java.util.List;
import java.util.ServiceLoader;
import java.util.stream.Collectors;
import javax.naming.Context;
import javax.naming.NameNotFoundException;
import javax.naming.NamingEnumeration;
import javax.naming.NamingException;
import javax.naming.directory.Attribute;
import javax.naming.directory.Attributes;
import javax.naming.directory.DirContext;
import javax.naming.spi.InitialContextFactory;

/**
 * DNS TXT lookups through the JDK's own DNS client (the JNDI provider {@code com.sun.jndi.dns}), which, unlike
 * {@link java.net.InetAddress}, can ask for TXT records and takes a timeout per query.
 *
 * <p>Each configured server is asked once with the given timeout, so a lookup takes at most
 * {@code timeout × number of servers}.
 */
public final class DnsTxtResolver {

    private static final String DNS_FACTORY_CLASS = "com.sun.jndi.dns.DnsContextFactory";
    // Taken from the JDK's service registry rather than through new InitialDirContext(): Quarkus switches JNDI
    // off as a whole (quarkus.naming.enable-jndi=false) by refusing every InitialContext, and we want this one
    // DNS provider without turning JNDI (and its remote lookups) back on for the whole service.
    private static final InitialContextFactory DNS_FACTORY = ServiceLoader
            .load(InitialContextFactory.class, ClassLoader.getPlatformClassLoader()).stream()
            .filter(p -> p.type().getName().equals(DNS_FACTORY_CLASS))
            .map(ServiceLoader.Provider::get)
            .findFirst()
            .orElseThrow(() -> new IllegalStateException("this JVM has no JNDI DNS provider (module jdk.naming.dns)"));

    private final Duration timeout;
    private final String providerUrl;

    /**
     * @param timeout per server
     * @param servers {@code host} or {@code host:port} of the DNS servers to ask; empty for the system's
     */
    public DnsTxtResolver(Duration timeout, List<String> servers) {
        this.timeout = timeout;
        this.providerUrl = servers.isEmpty() ? "dns:"
                : servers.stream().map(s -> "dns://" + s).collect(Collectors.joining(" "));
    }

    /**
     * The TXT strings of {@code name}: one entry per record, with the record's character-strings joined.
     *
     * @return an empty list if the name does not exist or has no TXT records
     * @throws IdentityException if no server answered in time or the answer was an error
     */
    public List<String> lookup(String name) {
        Hashtable<String, String> env = new Hashtable<>();
        env.put(Context.INITIAL_CONTEXT_FACTORY, DNS_FACTORY_CLASS);
        env.put(Context.PROVIDER_URL, providerUrl);
        env.put("com.sun.jndi.dns.timeout.initial", Long.toString(Math.max(1, timeout.toMillis())));
        env.put("com.sun.jndi.dns.timeout.retries", "1");
        DirContext context = null;
        try {
            context = (DirContext) DNS_FACTORY.getInitialContext(env);
            Attributes attributes = context.getAttributes(name, new String[] {"TXT"});
            Attribute txt = attributes.get("TXT");
            List<String> values = new ArrayList<>();
            if (txt != null) {
                NamingEnumeration<?> all = txt.getAll();
                while (all.hasMore()) {
                    values.add(unquote(String.valueOf(all.next())));
                }
            }
            return values;
        } catch (NameNotFoundException e) {
            return List.of();
        } catch (NamingException e) {
            throw new IdentityException("DNS TXT lookup of " + name + " failed: " + e.getExplanation(), e);
        } finally {
            if (context != null) {
                try {
                    context.close();
                } catch (NamingException ignored) {
                    // nothing to release beyond what close already did
                }
            }
        }
    }

    /**
     * JNDI renders a TXT record's character-strings separated by spaces, quoting any that contain a space;
     * atproto's {@code did=…} value never does, so dropping quotes and joining the pieces gives the value.
     */
    private static String unquote(String rendered) {
        StringBuilder out = new StringBuilder();
        boolean quoted = false;
        for (char c : rendered.toCharArray()) {
            if (c == '"') {
                quoted = !quoted;
            } else if (c != ' ' || quoted) {
                out.append(c);
            }
        }
        return out.toString();
    }
}
