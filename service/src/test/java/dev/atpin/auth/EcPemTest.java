package dev.atpin.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.oauth.client.ClientKeys;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Keys the Helm chart creates ({@code genPrivateKey "ecdsa"}: SEC1 PEM, private half only) are usable as they are. */
class EcPemTest {

    @TempDir
    Path dir;

    @Test
    void shouldSignApiTokensWithAMountedSec1PrivateKeyAlone() throws Exception {
        KeyPair pair = p256("secp256r1");
        Files.writeString(dir.resolve("api-token-signing.key.pem"), sec1Pem(pair), StandardCharsets.US_ASCII);

        TokenKeys keys = TokenKeys.loadOrGenerate(dir);

        assertThat(keys.publicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
        Signature signer = Signature.getInstance("SHA256withECDSA");
        signer.initSign(keys.privateKey());
        signer.update(new byte[] {1, 2, 3});
        Signature verifier = Signature.getInstance("SHA256withECDSA");
        verifier.initVerify(pair.getPublic());
        verifier.update(new byte[] {1, 2, 3});
        assertThat(verifier.verify(signer.sign())).isTrue();
        // a read-only Secret mount: nothing is written next to the key
        try (var files = Files.list(dir)) {
            assertThat(files.map(f -> f.getFileName().toString())).containsExactly("api-token-signing.key.pem");
        }
    }

    @Test
    void shouldKeepReadingTheKeyPairItGeneratedItself() {
        TokenKeys first = TokenKeys.loadOrGenerate(dir);
        TokenKeys again = TokenKeys.loadOrGenerate(dir);
        assertThat(again.keyId()).isEqualTo(first.keyId());
        assertThat(dir.resolve("api-token-signing.pub.pem")).exists();
    }

    @Test
    void shouldRefuseAPublicKeyFileThatIsNotTheOtherHalf() throws Exception {
        TokenKeys.loadOrGenerate(dir);
        Files.writeString(dir.resolve("api-token-signing.key.pem"), sec1Pem(p256("secp256r1")), StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TokenKeys.loadOrGenerate(dir)).hasMessageContaining("unusable");
    }

    @Test
    void shouldRefuseAKeyOnAnotherCurve() throws Exception {
        Files.writeString(dir.resolve("api-token-signing.key.pem"), sec1Pem(p256("secp384r1")), StandardCharsets.US_ASCII);
        assertThatThrownBy(() -> TokenKeys.loadOrGenerate(dir)).hasMessageContaining("unusable");
    }

    @Test
    void shouldPublishASec1OAuthClientKeyInTheJwks() throws Exception {
        KeyPair pair = p256("secp256r1");
        Files.writeString(dir.resolve("client-chart.key.pem"), sec1Pem(pair), StandardCharsets.US_ASCII);

        ClientKeys keys = ClientKeys.loadOrGenerate(dir);

        assertThat(keys.publicJwks().getKeys()).hasSize(1);
        assertThat(keys.signingKey().toECKey().toECPublicKey().getEncoded()).isEqualTo(pair.getPublic().getEncoded());
    }

    private static KeyPair p256(String curve) throws Exception {
        KeyPairGenerator generator = KeyPairGenerator.getInstance("EC");
        generator.initialize(new ECGenParameterSpec(curve));
        return generator.generateKeyPair();
    }

    /** The SEC1 form Go's x509.MarshalECPrivateKey (Helm) writes: the ECPrivateKey inside the PKCS#8 envelope. */
    private static String sec1Pem(KeyPair pair) throws Exception {
        byte[] sec1 = PrivateKeyInfo.getInstance(pair.getPrivate().getEncoded()).parsePrivateKey().toASN1Primitive().getEncoded();
        return "-----BEGIN EC PRIVATE KEY-----\n" + Base64.getMimeEncoder().encodeToString(sec1) + "\n-----END EC PRIVATE KEY-----\n";
    }
}
