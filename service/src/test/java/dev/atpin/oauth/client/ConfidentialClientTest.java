package dev.atpin.oauth.client;

import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.jwk.JWK;
import com.nimbusds.jose.jwk.JWKSet;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import com.nimbusds.oauth2.sdk.auth.ClientAuthentication;
import com.nimbusds.oauth2.sdk.auth.PrivateKeyJWT;
import dev.atpin.oauth.OAuthConfigs;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The confidential web client cannot log in against a local PDS (its client_id must be an https URL with a
 * real host name), so its metadata document, JWKS and private_key_jwt assertions are checked here against
 * the atproto rules (atproto.com/specs/oauth, "Client ID Metadata Document", "Confidential Client
 * Authentication").
 */
class ConfidentialClientTest {

    private static final String PUBLIC_URL = "https://pin.example.com";
    private static final String ISSUER = "https://auth.example.org";

    @TempDir
    Path keyDir;

    private ClientSettings settings() {
        return ClientSettings.from(OAuthConfigs.of("public-url", PUBLIC_URL, "key-dir", keyDir.toString()));
    }

    @Test
    void theMetadataDocumentFollowsTheAtprotoRules() {
        ClientSettings settings = settings();
        Map<String, Object> doc = ClientMetadata.document(settings);

        // client_id is exactly the URL the document is served at
        assertThat(doc.get("client_id")).isEqualTo(PUBLIC_URL + ClientSettings.METADATA_PATH);
        assertThat(doc.get("application_type")).isEqualTo("web");
        assertThat(doc.get("grant_types")).isEqualTo(List.of("authorization_code", "refresh_token"));
        assertThat(doc.get("response_types")).isEqualTo(List.of("code"));
        assertThat(doc.get("dpop_bound_access_tokens")).isEqualTo(true);
        assertThat(doc.get("token_endpoint_auth_method")).isEqualTo("private_key_jwt");
        assertThat(doc.get("token_endpoint_auth_signing_alg")).isEqualTo("ES256");
        assertThat(((String) doc.get("scope")).split(" ")).contains("atproto").doesNotContain("transition:generic");
        @SuppressWarnings("unchecked")
        List<String> redirects = (List<String>) doc.get("redirect_uris");
        assertThat(redirects).isNotEmpty().allSatisfy(uri -> {
            assertThat(URI.create(uri).getScheme()).isEqualTo("https");
            assertThat(URI.create(uri).getHost()).isEqualTo("pin.example.com");
        });
        URI jwks = URI.create((String) doc.get("jwks_uri"));
        assertThat(jwks.getScheme()).isEqualTo("https");
        assertThat(jwks.getHost()).isEqualTo("pin.example.com");
        assertThat(doc).doesNotContainKey("jwks"); // jwks_uri or jwks, never both
    }

    @Test
    void theJwksPublishesOnlyPublicEs256Keys() throws Exception {
        ClientKeys keys = ClientKeys.loadOrGenerate(keyDir);
        JWKSet published = JWKSet.parse(keys.publicJwks().toString(true));

        assertThat(published.getKeys()).hasSize(1);
        JWK key = published.getKeys().getFirst();
        assertThat(key).isInstanceOf(ECKey.class);
        assertThat(((ECKey) key).getCurve().getName()).isEqualTo("P-256");
        assertThat(key.isPrivate()).isFalse();
        assertThat(key.getKeyID()).isEqualTo(key.computeThumbprint().toString());
        assertThat(key.getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(keys.publicJwks().toString(true)).doesNotContain("\"d\"");
    }

    @Test
    void anAssertionNamesUsAndTheIssuerAndVerifiesWithThePublishedKey() throws Exception {
        ClientSettings settings = settings();
        ClientKeys keys = ClientKeys.loadOrGenerate(keyDir);
        ClientAuth auth = new ClientAuth(settings, Optional.of(keys));

        ClientAuthentication authentication = auth.forIssuer(ISSUER, Optional.empty()).orElseThrow();
        SignedJWT jwt = ((PrivateKeyJWT) authentication).getClientAssertion();
        JWTClaimsSet claims = jwt.getJWTClaimsSet();

        assertThat(jwt.getHeader().getAlgorithm()).isEqualTo(JWSAlgorithm.ES256);
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(keys.signingKey().getKeyID());
        assertThat(claims.getIssuer()).isEqualTo(settings.clientId());
        assertThat(claims.getSubject()).isEqualTo(settings.clientId());
        assertThat(claims.getAudience()).containsExactly(ISSUER);
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getIssueTime().toInstant()).isCloseTo(Instant.now(), within(Duration.ofSeconds(5)));
        assertThat(Duration.between(claims.getIssueTime().toInstant(), claims.getExpirationTime().toInstant()))
                .isPositive().isLessThanOrEqualTo(Duration.ofMinutes(1));
        ECKey published = (ECKey) JWKSet.parse(keys.publicJwks().toString(true)).getKeyByKeyId(jwt.getHeader().getKeyID());
        assertThat(jwt.verify(new ECDSAVerifier(published))).isTrue();
        // the form fields the token endpoint receives
        assertThat(((PrivateKeyJWT) authentication).toParameters()).containsEntry("client_assertion_type",
                List.of("urn:ietf:params:oauth:client-assertion-type:jwt-bearer"));
    }

    @Test
    void everyAssertionHasItsOwnJti() throws Exception {
        ClientAuth auth = new ClientAuth(settings(), Optional.of(ClientKeys.loadOrGenerate(keyDir)));
        String first = ((PrivateKeyJWT) auth.forIssuer(ISSUER, Optional.empty()).orElseThrow())
                .getClientAssertion().getJWTClaimsSet().getJWTID();
        String second = ((PrivateKeyJWT) auth.forIssuer(ISSUER, Optional.empty()).orElseThrow())
                .getClientAssertion().getJWTClaimsSet().getJWTID();
        assertThat(first).isNotEqualTo(second);
    }

    @Test
    void theKeyIsGeneratedOnceOwnerReadableOnlyAndKeptAcrossStarts() throws Exception {
        String first = ClientKeys.loadOrGenerate(keyDir).signingKey().getKeyID();
        String again = ClientKeys.loadOrGenerate(keyDir).signingKey().getKeyID();

        assertThat(again).isEqualTo(first);
        try (Stream<Path> files = Files.list(keyDir)) {
            List<Path> keys = files.toList();
            assertThat(keys).hasSize(1);
            assertThat(PosixFilePermissions.toString(Files.getPosixFilePermissions(keys.getFirst())))
                    .isEqualTo("rw-------");
            assertThat(Files.readString(keys.getFirst())).startsWith("-----BEGIN PRIVATE KEY-----");
        }
    }

    @Test
    void rotationAddsAKeyThatSignsNewSessionsWhileOldSessionsKeepTheirs() throws Exception {
        String old = ClientKeys.loadOrGenerate(keyDir).signingKey().getKeyID();
        Path added = ClientKeys.generateInto(keyDir);
        ClientKeys keys = ClientKeys.loadOrGenerate(keyDir);
        ClientAuth auth = new ClientAuth(settings(), Optional.of(keys));

        assertThat(keys.publicJwks().getKeys()).hasSize(2);
        assertThat(keys.signingKey().getKeyID()).isNotEqualTo(old);
        assertThat(auth.keyIdForNewSession()).contains(keys.signingKey().getKeyID());
        assertThat(kidOf(auth.forIssuer(ISSUER, Optional.of(old)))).isEqualTo(old);
        // once the old key is removed, its sessions fall back to the current key
        Files.list(keyDir).filter(p -> !p.equals(added)).forEach(p -> p.toFile().delete());
        ClientAuth after = new ClientAuth(settings(), Optional.of(ClientKeys.loadOrGenerate(keyDir)));
        assertThat(kidOf(after.forIssuer(ISSUER, Optional.of(old)))).isNotEqualTo(old);
    }

    @Test
    void aKeyMadeWithOpensslStyleParametersIsAccepted() throws Exception {
        // PKCS#8 as `openssl genpkey -algorithm EC -pkeyopt ec_paramgen_curve:P-256` writes it; the JDK makes the same
        java.security.KeyPairGenerator generator = java.security.KeyPairGenerator.getInstance("EC");
        generator.initialize(new java.security.spec.ECGenParameterSpec("secp256r1"));
        java.security.KeyPair pair = generator.generateKeyPair();
        Files.writeString(keyDir.resolve("client-29990101T000000Z.key.pem"), "-----BEGIN PRIVATE KEY-----\n"
                + java.util.Base64.getMimeEncoder().encodeToString(pair.getPrivate().getEncoded())
                + "\n-----END PRIVATE KEY-----\n");

        ECKey signing = ClientKeys.loadOrGenerate(keyDir).signingKey();

        assertThat(signing.toECPublicKey().getW()).isEqualTo(((java.security.interfaces.ECPublicKey) pair.getPublic()).getW());
    }

    private static String kidOf(Optional<ClientAuthentication> authentication) {
        return ((PrivateKeyJWT) authentication.orElseThrow()).getClientAssertion().getHeader().getKeyID();
    }

    private static org.assertj.core.data.TemporalUnitOffset within(Duration d) {
        return new org.assertj.core.data.TemporalUnitWithinOffset(d.toSeconds(), java.time.temporal.ChronoUnit.SECONDS);
    }
}
