package dev.atpin.xrpc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.atpin.identity.AtprotoKey;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.bouncycastle.jce.provider.BouncyCastleProvider;
import org.junit.jupiter.api.Test;

/** Service-auth JWTs with generated keys of both atproto curves. */
class ServiceAuthVerifierTest {

    private static final String SERVICE = "did:web:pins.example";
    private static final String USER = "did:plc:useraaaaaaaaaaaaaaaaaaaa";
    private static final String LXM = "dev.atpin.pins.addPin";
    private static final BouncyCastleProvider BC = new BouncyCastleProvider();

    private final Map<String, AtprotoKey> keys = new LinkedHashMap<>();
    private final Set<String> seen = new HashSet<>();
    private final ServiceAuthVerifier verifier = new ServiceAuthVerifier(SERVICE, Duration.ofMinutes(10),
            (did, refresh) -> Optional.ofNullable(keys.get(did)), jti -> seen.add(jti.iss() + " " + jti.jti()),
            Clock.systemUTC());

    private static KeyPair generate(String curve) throws Exception {
        KeyPairGenerator gen = curve.equals("secp256k1") ? KeyPairGenerator.getInstance("EC", BC)
                : KeyPairGenerator.getInstance("EC");
        gen.initialize(new ECGenParameterSpec(curve));
        return gen.generateKeyPair();
    }

    private static String jwt(KeyPair signer, String alg, Map<String, Object> claims) throws Exception {
        ObjectMapper json = new ObjectMapper();
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String head = b64.encodeToString(json.writeValueAsBytes(Map.of("alg", alg, "typ", "JWT")));
        String body = b64.encodeToString(json.writeValueAsBytes(claims));
        Signature ecdsa = alg.equals("ES256K") ? Signature.getInstance("SHA256withPLAIN-ECDSA", BC)
                : Signature.getInstance("SHA256withECDSAinP1363Format");
        ecdsa.initSign(signer.getPrivate());
        ecdsa.update((head + "." + body).getBytes(StandardCharsets.US_ASCII));
        return head + "." + body + "." + b64.encodeToString(ecdsa.sign());
    }

    private static Map<String, Object> claims() {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("iss", USER);
        c.put("aud", SERVICE);
        c.put("lxm", LXM);
        c.put("iat", Instant.now().getEpochSecond());
        c.put("exp", Instant.now().getEpochSecond() + 60);
        c.put("jti", UUID.randomUUID().toString());
        return c;
    }

    @Test
    void es256kAndEs256TokensFromTheUsersKeyAreAccepted() throws Exception {
        KeyPair k256 = generate("secp256k1");
        keys.put(USER, AtprotoKey.fromPublicKey(k256.getPublic()));
        assertThat(verifier.verify(jwt(k256, "ES256K", claims()), LXM).did()).isEqualTo(USER);

        KeyPair p256 = generate("secp256r1");
        keys.put(USER, AtprotoKey.fromPublicKey(p256.getPublic()));
        assertThat(verifier.verify(jwt(p256, "ES256", claims()), LXM).did()).isEqualTo(USER);

        Map<String, Object> withFragment = claims();
        withFragment.put("aud", SERVICE + "#atpin_pins");
        assertThat(verifier.verify(jwt(p256, "ES256", withFragment), LXM).did()).isEqualTo(USER);
    }

    @Test
    void wrongAudienceMethodExpiryReplayOrKeyAreRefused() throws Exception {
        KeyPair key = generate("secp256k1");
        keys.put(USER, AtprotoKey.fromPublicKey(key.getPublic()));

        Map<String, Object> aud = claims();
        aud.put("aud", "did:web:other.example");
        assertThatThrownBy(() -> verifier.verify(jwt(key, "ES256K", aud), LXM)).hasMessageContaining("'aud'");

        assertThatThrownBy(() -> verifier.verify(jwt(key, "ES256K", claims()), "dev.atpin.pins.removePin"))
                .hasMessageContaining("'lxm'");

        Map<String, Object> expired = claims();
        expired.put("exp", Instant.now().getEpochSecond() - 1);
        assertThatThrownBy(() -> verifier.verify(jwt(key, "ES256K", expired), LXM)).hasMessageContaining("expired");

        Map<String, Object> tooLong = claims();
        tooLong.put("exp", Instant.now().getEpochSecond() + 86_400);
        assertThatThrownBy(() -> verifier.verify(jwt(key, "ES256K", tooLong), LXM)).hasMessageContaining("too long");

        String once = jwt(key, "ES256K", claims());
        verifier.verify(once, LXM);
        assertThatThrownBy(() -> verifier.verify(once, LXM)).hasMessageContaining("already used");

        KeyPair forger = generate("secp256k1");
        assertThatThrownBy(() -> verifier.verify(jwt(forger, "ES256K", claims()), LXM)).hasMessageContaining("signature");

        // The right key but the other curve's algorithm name: refused.
        assertThatThrownBy(() -> verifier.verify(jwt(generate("secp256r1"), "ES256", claims()), LXM))
                .hasMessageContaining("signature");
    }

    @Test
    void malformedTokensAreRefusedWithoutAnException() {
        assertThatThrownBy(() -> verifier.verify("nonsense", LXM)).isInstanceOf(ServiceAuthVerifier.Refused.class);
        assertThatThrownBy(() -> verifier.verify("a.b.c", LXM)).isInstanceOf(ServiceAuthVerifier.Refused.class);
        String none = Base64.getUrlEncoder().withoutPadding().encodeToString("{\"alg\":\"none\"}".getBytes());
        assertThatThrownBy(() -> verifier.verify(none + ".e30.", LXM)).hasMessageContaining("alg");
    }
}
