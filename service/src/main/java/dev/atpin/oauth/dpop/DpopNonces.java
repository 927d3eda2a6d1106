package dev.atpin.oauth.dpop;

import com.github.benmanes.caffeine.cache.Cache;
import com.github.benmanes.caffeine.cache.Caffeine;
import java.net.URI;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;

/**
 * The last {@code DPoP-Nonce} each server origin gave us. Servers rotate nonces every few minutes and answer a
 * proof without a current one with {@code use_dpop_nonce}; remembering the latest per origin means that costs
 * one retry per rotation rather than one per request. In memory per replica: a replica that lacks the nonce
 * simply pays that retry once.
 */
public final class DpopNonces {

    private final Cache<String, String> nonces = Caffeine.newBuilder()
            .expireAfterWrite(Duration.ofMinutes(10)) // longer than any server keeps a nonce valid
            .maximumSize(10_000)
            .build();

    public Optional<String> get(URI url) {
        return Optional.ofNullable(nonces.getIfPresent(origin(url)));
    }

    public void put(URI url, String nonce) {
        if (nonce != null && !nonce.isBlank() && nonce.length() <= 512) {
            nonces.put(origin(url), nonce.strip());
        }
    }

    /** Forgets the nonce of the URL's origin (tests use it to force the nonce dance). */
    public void forget(URI url) {
        nonces.invalidate(origin(url));
    }

    static String origin(URI url) {
        String scheme = url.getScheme().toLowerCase(Locale.ROOT);
        int port = url.getPort() != -1 ? url.getPort() : scheme.equals("https") ? 443 : 80;
        return scheme + "://" + url.getHost().toLowerCase(Locale.ROOT) + ":" + port;
    }
}
