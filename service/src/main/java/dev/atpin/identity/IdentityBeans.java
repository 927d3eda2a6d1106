package dev.atpin.identity;

import dev.atpin.identity.net.OriginDials;
import dev.atpin.identity.net.SafeHttpClient;
import jakarta.enterprise.inject.Disposes;
import jakarta.enterprise.inject.Produces;
import jakarta.inject.Singleton;
import java.util.List;

/**
 * Builds the identity classes from {@link IdentityConfig}. They are plain classes with constructor injection,
 * so tests construct them directly without Quarkus.
 */
public class IdentityBeans {

    @Produces
    @Singleton
    SafeHttpClient safeHttpClient(IdentityConfig config) {
        IdentityConfig.Http http = config.http();
        return new SafeHttpClient(new SafeHttpClient.Settings(config.allowInsecureLocal(), http.connectTimeout(),
                http.timeout(), http.maxResponseBytes(), http.maxRedirects()));
    }

    void close(@Disposes SafeHttpClient client) {
        client.close();
    }

    @Produces
    @Singleton
    HandleResolver handleResolver(IdentityConfig config, SafeHttpClient http) {
        DnsTxtResolver dns = new DnsTxtResolver(config.dns().timeout(), config.dns().servers().orElse(List.of()));
        return new HandleResolver(http, dns, config.devHandleResolver());
    }

    /** Pin origins are resolved and checked here before Kubo dials them (DNS TXT for {@code /dnsaddr}). */
    @Produces
    @Singleton
    OriginDials originDials(IdentityConfig config) {
        DnsTxtResolver dns = new DnsTxtResolver(config.dns().timeout(), config.dns().servers().orElse(List.of()));
        return new OriginDials(dns::lookup, config.dns().timeout());
    }

    void close(@Disposes OriginDials dials) {
        dials.close();
    }

    @Produces
    @Singleton
    DidResolver didResolver(IdentityConfig config, SafeHttpClient http) {
        IdentityConfig.DidCache cache = config.didCache();
        return new DidResolver(http, new DidResolver.Settings(config.plcUrl(), cache.ttl(), cache.maxSize(),
                cache.minRefreshInterval(), cache.failureTtl()));
    }

    @Produces
    @Singleton
    IdentityResolver identityResolver(HandleResolver handles, DidResolver dids) {
        return new IdentityResolver(handles, dids);
    }
}
