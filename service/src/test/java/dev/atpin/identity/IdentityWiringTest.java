package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.testing.LoopbackDnsServer;
import io.quarkus.test.junit.QuarkusTest;
import jakarta.inject.Inject;
import java.net.URI;
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
    void theDefaultsApplyAndTheTestStackPointsIdentityAtTheLocalPlc() {
        // The global test stack runs a PLC directory and a PDS on loopback and configures both.
        assertThat(config.plcUrl()).isEqualTo(URI.create(System.getProperty("atpin.test.pds.plc")));
        assertThat(config.devHandleResolver()).contains(URI.create(System.getProperty("atpin.test.pds.url")));
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
        // .test handles resolve through the test PDS; one it does not know does not resolve
        assertThatThrownBy(() -> resolver.resolve("nobody-here.test"))
                .isInstanceOf(IdentityException.class).hasMessageContaining("does not resolve");
        assertThatThrownBy(() -> resolver.resolve("not a handle"))
                .isInstanceOf(IdentityException.class);
    }
}
