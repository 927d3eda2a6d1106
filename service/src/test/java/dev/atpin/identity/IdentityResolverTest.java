package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.testing.LoopbackDnsServer;
import dev.atpin.testing.LoopbackHttpServer;
import dev.atpin.testing.PdsServer;
import dev.atpin.testing.PdsServer.Account;
import java.net.URI;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Handle ⇄ DID ⇄ DID document ⇄ PDS and key against the reference PDS and its PLC, as a local run sees them:
 * with atpin.identity.allow-insecure-local, the PLC URL and the PDS as dev handle resolver for .test handles.
 */
class IdentityResolverTest {

    private static PdsServer pds;
    private static LoopbackDnsServer dns;
    private static SafeHttpClient http;
    private static IdentityResolver resolver;
    private static Account alice;

    @BeforeAll
    static void start() {
        pds = PdsServer.start();
        dns = new LoopbackDnsServer(Map.of()); // .test handles never reach DNS; keep any stray query local
        http = new SafeHttpClient(SafeHttpClient.Settings.defaults().withAllowInsecureLocal(true));
        resolver = resolver(Duration.ofSeconds(10));
        alice = pds.createAccount("alice" + suffix());
    }

    @AfterAll
    static void stop() {
        if (pds != null) {
            pds.close();
        }
        if (dns != null) {
            dns.close();
        }
        if (http != null) {
            http.close();
        }
    }

    @Test
    void aHandleResolvesToItsDidPdsAndSigningKey() {
        ResolvedIdentity identity = resolver.resolve(alice.handle());

        assertThat(identity.did()).isEqualTo(new Did(alice.did()));
        assertThat(identity.handle()).isEqualTo(new Handle(alice.handle()));
        assertThat(identity.handleVerified()).isTrue();
        assertThat(identity.pds()).isEqualTo(URI.create(pds.pdsUrl()));
        // the PLC serves the legacy form with an uncompressed point; it must be the key the PDS signs with
        assertThat(identity.signingKey().curve()).isEqualTo(AtprotoKey.Curve.K256);
        assertThat(identity.signingKey().didKey()).isEqualTo(pds.signingKey(alice));
    }

    @Test
    void aDidResolvesWithItsHandleVerifiedBothWays() {
        ResolvedIdentity identity = resolver.resolve(alice.did());
        assertThat(identity.handle()).isEqualTo(new Handle(alice.handle()));
        assertThat(identity.pds()).isEqualTo(URI.create(pds.pdsUrl()));
    }

    @Test
    void whatAUserTypesIsNormalized() {
        assertThat(resolver.resolve("@" + alice.handle().toUpperCase(Locale.ROOT)).did().value())
                .isEqualTo(alice.did());
        assertThat(resolver.resolve(" at://" + alice.handle() + " ").did().value()).isEqualTo(alice.did());
    }

    @Test
    void anUnknownHandleOrDidFailsWithAClearMessage() {
        assertThatThrownBy(() -> resolver.resolve("nobody" + suffix() + ".test"))
                .isInstanceOf(IdentityException.class).hasMessageEndingWith("does not resolve to a DID");
        assertThatThrownBy(() -> resolver.resolve("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa"))
                .isInstanceOf(IdentityException.class).hasMessageContaining("no DID document at " + pds.plcUrl());
        assertThatThrownBy(() -> resolver.resolve("not a handle"))
                .isInstanceOf(IdentityException.class).hasMessageStartingWith("not a valid handle");
    }

    @Test
    void aHandleChangeShowsAfterARefreshAndTheOldHandleStopsResolving() {
        Account bob = pds.createAccount("bob" + suffix());
        IdentityResolver fresh = resolver(Duration.ZERO);
        assertThat(fresh.resolve(bob.did()).handle()).isEqualTo(new Handle(bob.handle()));

        String renamed = pds.updateHandle(bob, "robert" + suffix());

        // cached: the old document still names the old handle, which no longer points back
        assertThat(fresh.resolve(bob.did()).handle()).isEqualTo(Handle.INVALID);
        ResolvedIdentity refreshed = fresh.refresh(new Did(bob.did()));
        assertThat(refreshed.handle()).isEqualTo(new Handle(renamed));
        assertThatThrownBy(() -> fresh.resolve(bob.handle())).isInstanceOf(IdentityException.class);
    }

    @Test
    void aDocumentClaimingSomeoneElsesHandleGetsHandleInvalid() throws Exception {
        try (LoopbackHttpServer web = new LoopbackHttpServer()) {
            String did = "did:web:localhost%3A" + web.port();
            KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
            generator.initialize(new ECGenParameterSpec("secp256r1"));
            AtprotoKey key = AtprotoKey.fromPublicKey(generator.generateKeyPair().getPublic());
            web.text("/.well-known/did.json", "application/json", """
                    {"id":"%s","alsoKnownAs":["at://%s"],
                     "verificationMethod":[{"id":"#atproto","type":"Multikey","controller":"%s",
                       "publicKeyMultibase":"%s"}],
                     "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"%s"}]}
                    """.formatted(did, alice.handle(), did, key.multikey(), pds.pdsUrl()));

            ResolvedIdentity identity = resolver.resolve(did);

            assertThat(identity.did().value()).isEqualTo(did);
            assertThat(identity.handle()).isEqualTo(Handle.INVALID);
            assertThat(identity.handleVerified()).isFalse();
            assertThat(identity.signingKey()).isEqualTo(key);
            assertThat(identity.signingKey().curve()).isEqualTo(AtprotoKey.Curve.P256);
        }
    }

    private static IdentityResolver resolver(Duration minRefreshInterval) {
        HandleResolver handles = new HandleResolver(http,
                new DnsTxtResolver(Duration.ofSeconds(1), List.of(dns.address())),
                Optional.of(URI.create(pds.pdsUrl())));
        DidResolver dids = new DidResolver(http, new DidResolver.Settings(URI.create(pds.plcUrl()),
                Duration.ofMinutes(5), 1000, minRefreshInterval));
        return new IdentityResolver(handles, dids);
    }

    private static String suffix() {
        return Long.toString(System.nanoTime() % 1_000_000_000L, 36);
    }
}
