package dev.atpin.xrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.Did;
import dev.atpin.identity.DidResolver;
import dev.atpin.identity.IdentityException;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.testing.LoopbackHttpServer;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/**
 * A service-auth JWT names its own issuer, so anyone can make us look up any DID: every free check comes
 * first, an unresolvable DID is looked up once (not again for a "refresh"), and remembered for a while.
 */
class ServiceAuthAmplificationTest {

    private static final String SERVICE = "did:web:atpin.example.com";
    private static final String LXM = "dev.atpin.pins.listPins";

    private static String jwt(String claims) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        return b64.encodeToString("{\"alg\":\"ES256K\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8)) + "."
                + b64.encodeToString(claims.getBytes(StandardCharsets.UTF_8)) + "." + b64.encodeToString(new byte[64]);
    }

    private static String claims(String iss, String aud, String extra) {
        long exp = Instant.now().getEpochSecond() + 60;
        return "{\"iss\":\"" + iss + "\",\"aud\":\"" + aud + "\",\"lxm\":\"" + LXM + "\",\"exp\":" + exp + extra + "}";
    }

    @Test
    void nothingIsLookedUpBeforeEveryFreeCheckPassedAndAnUnknownIssuerIsLookedUpOnce() {
        List<String> lookups = new ArrayList<>();
        ServiceAuthVerifier verifier = new ServiceAuthVerifier(SERVICE, Duration.ofMinutes(10),
                (did, refresh) -> {
                    lookups.add(did + (refresh ? " (refresh)" : ""));
                    return Optional.empty(); // the DID does not resolve
                }, jti -> true, Clock.systemUTC());
        String unknown = "did:plc:aaaaaaaaaaaaaaaaaaaaaaaa";
        // wrong audience, no jti: refused without a lookup
        assertThatThrownBy(() -> verifier.verify(jwt(claims(unknown, "did:web:other.example.com", ",\"jti\":\"1\"")), LXM))
                .hasMessageContaining("'aud'");
        assertThatThrownBy(() -> verifier.verify(jwt(claims(unknown, SERVICE, "")), LXM)).hasMessageContaining("'jti'");
        assertThat(lookups).isEmpty();
        // well-formed: one lookup, and no second one to "refresh" a DID that did not resolve at all
        assertThatThrownBy(() -> verifier.verify(jwt(claims(unknown, SERVICE, ",\"jti\":\"2\"")), LXM))
                .isInstanceOf(ServiceAuthVerifier.Refused.class);
        assertThat(lookups).containsExactly(unknown);
    }

    @Test
    void aDidThatDoesNotResolveIsRememberedInsteadOfFetchedAgain() {
        try (LoopbackHttpServer plc = new LoopbackHttpServer();
                SafeHttpClient http = new SafeHttpClient(SafeHttpClient.Settings.defaults().withAllowInsecureLocal(true))) {
            plc.route("/", exchange -> LoopbackHttpServer.respond(exchange, 404, "application/json", "{}"));
            DidResolver resolver = new DidResolver(http, new DidResolver.Settings(URI.create(plc.url()),
                    Duration.ofMinutes(5), 100, Duration.ofSeconds(10), Duration.ofMinutes(1)));
            Did did = new Did("did:plc:bbbbbbbbbbbbbbbbbbbbbbbb");
            for (int i = 0; i < 5; i++) {
                assertThatThrownBy(() -> resolver.resolve(did)).isInstanceOf(IdentityException.class);
            }
            // a refresh within the minimum interval does not fetch either
            assertThatThrownBy(() -> resolver.refresh(did)).isInstanceOf(IdentityException.class);
            assertThat(plc.requests()).hasSize(1);
            assertThat(resolver.answersWithoutFetch(did)).isTrue();
        }
    }
}
