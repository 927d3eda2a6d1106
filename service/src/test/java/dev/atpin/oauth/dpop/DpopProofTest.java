package dev.atpin.oauth.dpop;

import static org.assertj.core.api.Assertions.assertThat;

import com.nimbusds.jose.JOSEObjectType;
import com.nimbusds.jose.crypto.ECDSAVerifier;
import com.nimbusds.jose.jwk.ECKey;
import com.nimbusds.jose.util.Base64URL;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The DPoP proofs we send (RFC 9449 as atproto profiles it). */
class DpopProofTest {

    private final ECKey key = DpopKeys.generate();

    @Test
    void aProofForAResourceCarriesMethodUrlWithoutQueryTokenHashAndNonce() throws Exception {
        SignedJWT proof = SignedJWT.parse(DpopHttp.proof(key, "GET",
                URI.create("http://localhost:2583/xrpc/com.atproto.repo.getRecord?repo=did%3Aplc%3Aabc&rkey=x"),
                "the-access-token", Optional.of("nonce-1")));
        JWTClaimsSet claims = proof.getJWTClaimsSet();

        assertThat(proof.getHeader().getType()).isEqualTo(new JOSEObjectType("dpop+jwt"));
        assertThat(proof.getHeader().getJWK().isPrivate()).isFalse();
        assertThat(proof.verify(new ECDSAVerifier(key.toPublicJWK()))).isTrue();
        assertThat(claims.getStringClaim("htm")).isEqualTo("GET");
        assertThat(claims.getStringClaim("htu")).isEqualTo("http://localhost:2583/xrpc/com.atproto.repo.getRecord");
        assertThat(claims.getStringClaim("nonce")).isEqualTo("nonce-1");
        assertThat(claims.getStringClaim("ath")).isEqualTo(Base64URL.encode(MessageDigest.getInstance("SHA-256")
                .digest("the-access-token".getBytes(StandardCharsets.US_ASCII))).toString());
        assertThat(claims.getJWTID()).isNotBlank();
        assertThat(claims.getIssueTime()).isNotNull();
    }

    @Test
    void aProofForTheAuthorizationServerHasNoTokenHashAndMayHaveNoNonceYet() throws Exception {
        JWTClaimsSet claims = SignedJWT.parse(DpopHttp.proof(key, "POST", URI.create("http://localhost:2583/oauth/par"),
                null, Optional.empty())).getJWTClaimsSet();

        assertThat(claims.getStringClaim("htm")).isEqualTo("POST");
        assertThat(claims.getClaim("ath")).isNull();
        assertThat(claims.getClaim("nonce")).isNull();
    }

    @Test
    void noncesAreKeptPerOrigin() {
        DpopNonces nonces = new DpopNonces();
        nonces.put(URI.create("https://pds.example.com/oauth/par"), "a");

        assertThat(nonces.get(URI.create("https://pds.example.com:443/xrpc/x"))).contains("a");
        assertThat(nonces.get(URI.create("https://other.example.com/oauth/par"))).isEmpty();
        assertThat(nonces.get(URI.create("http://pds.example.com/oauth/par"))).isEmpty();
    }
}
