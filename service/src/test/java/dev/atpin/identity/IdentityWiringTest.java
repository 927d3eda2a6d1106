package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.testing.LoopbackDnsServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The identity beans are built from atpin.identity.* in the running service. */
@QuarkusTest
class IdentityWiringTest {

    @Inject
    IdentityConfig config;

    @Inject
    SafeHttpClient http;

    @Inject
    IdentityResolver resolver;

    @Test
    void theDefaultsApplyAndTheTestProfileTurnsOnLocalDevelopmentAccess() {
        // the global test stack points the service at the reference PDS's own PLC
        assertThat(config.plcUrl().toString()).startsWith("http://127.0.0.1:");
        assertThat(config.devHandleResolver()).hasValueSatisfying(
                url -> assertThat(url.toString()).startsWith("http://localhost:"));
        assertThat(config.http().maxRedirects()).isEqualTo(3);
        assertThat(config.http().maxResponseBytes()).isEqualTo(1024 * 1024);
        assertThat(config.didCache().ttl()).isEqualTo(Duration.ofMinutes(5));
        assertThat(http.allowsInsecureLocal()).isTrue();
    }

    @Test
    void dnsTxtLookupsWorkAlthoughQuarkusSwitchesJndiOff() {
        try (LoopbackDnsServer dns = new LoopbackDnsServer(
                Map.of("_atproto.alice.example.com", List.of("did=did:plc:7iza6de2dwap2sbkpav7c6c6")))) {
            DnsTxtResolver resolver = new DnsTxtResolver(Duration.ofSeconds(2), List.of(dns.address()));
            assertThat(resolver.lookup("_atproto.alice.example.com"))
                    .containsExactly("did=did:plc:7iza6de2dwap2sbkpav7c6c6");
        }
    }

    @Test
    void theInjectedResolverAppliesTheHandleRules() {
        // .test handles are asked of the test PDS, which knows no such account
        assertThatThrownBy(() -> resolver.resolve("nobody-here.test"))
                .isInstanceOf(IdentityException.class).hasMessageContaining("does not resolve to a DID");
        assertThatThrownBy(() -> resolver.resolve("alice.invalid"))
                .isInstanceOf(IdentityException.class);
    }
}
