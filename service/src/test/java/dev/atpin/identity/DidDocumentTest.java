package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.net.URI;
import java.time.Instant;
import org.junit.jupiter.api.Test;

/** Reading the atproto parts of DID documents in both key forms. */
class DidDocumentTest {

    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Did DID = new Did("did:plc:gxv4x6n5iqm6fvtddbmbe43n");

    // As the reference PLC (@did-plc/server 0.0.1) serves it: legacy key type, uncompressed point.
    private static final String LEGACY = """
            {"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/suites/secp256k1-2019/v1"],
             "id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n","alsoKnownAs":["at://alice.test"],
             "verificationMethod":[{"id":"#atproto","type":"EcdsaSecp256k1VerificationKey2019",
               "controller":"did:plc:gxv4x6n5iqm6fvtddbmbe43n",
               "publicKeyMultibase":"zQAXTLuCFngN9D2G6217e4DSTaPmyZphygqNP4E6BYXNnqTxdcYHXrfG8SPDUkpbFtjVZWaxCjxwNm2DzDNpkb6YR"}],
             "service":[{"id":"#atproto_pds","type":"AtprotoPersonalDataServer","serviceEndpoint":"http://localhost:28583"}]}
            """;

    // The current form (plc.directory): Multikey, full-DID fragment ids, several alsoKnownAs entries.
    private static final String MULTIKEY = """
            {"@context":["https://www.w3.org/ns/did/v1","https://w3id.org/security/multikey/v1"],
             "id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n",
             "alsoKnownAs":["https://alice.example.com","at://Alice.Example.com","at://old.example.com"],
             "verificationMethod":[
               {"id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n#other","type":"Multikey",
                "controller":"did:plc:gxv4x6n5iqm6fvtddbmbe43n",
                "publicKeyMultibase":"zDnaembgSGUhZULN2Caob4HLJPaxBh92N7rtH21TErzqf8HQo"},
               {"id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n#atproto","type":"Multikey",
                "controller":"did:plc:gxv4x6n5iqm6fvtddbmbe43n",
                "publicKeyMultibase":"zQ3shqwJEJyMBsBXCWyCBpUBMqxcon9oHB7mCvx4sSpMdLJwc"}],
             "service":[
               {"id":"#bsky_appview","type":"BskyAppView","serviceEndpoint":"https://api.example.com"},
               {"id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n#atproto_pds","type":"AtprotoPersonalDataServer",
                "serviceEndpoint":"https://pds.example.com"}]}
            """;

    @Test
    void theLegacyFormOfTheReferencePlcIsRead() throws Exception {
        DidDocument doc = DidDocument.parse(DID, JSON.readTree(LEGACY), Instant.EPOCH);
        assertThat(doc.handle()).contains(new Handle("alice.test"));
        assertThat(doc.pds()).contains(URI.create("http://localhost:28583"));
        assertThat(doc.signingKey()).hasValueSatisfying(key -> {
            assertThat(key.curve()).isEqualTo(AtprotoKey.Curve.K256);
            assertThat(key.didKey()).startsWith("did:key:zQ3s");
        });
    }

    @Test
    void theMultikeyFormIsReadWithFullDidFragmentIds() throws Exception {
        DidDocument doc = DidDocument.parse(DID, JSON.readTree(MULTIKEY), Instant.EPOCH);
        assertThat(doc.handle()).contains(new Handle("alice.example.com"));
        assertThat(doc.pds()).contains(URI.create("https://pds.example.com"));
        assertThat(doc.signingKey()).contains(
                AtprotoKey.fromDidKey("did:key:zQ3shqwJEJyMBsBXCWyCBpUBMqxcon9oHB7mCvx4sSpMdLJwc"));
    }

    @Test
    void aDocumentForAnotherDidIsRefused() throws Exception {
        Did other = new Did("did:plc:aaaaaaaaaaaaaaaaaaaaaaaa");
        assertThatThrownBy(() -> DidDocument.parse(other, JSON.readTree(LEGACY), Instant.EPOCH))
                .isInstanceOf(IdentityException.class).hasMessageContaining("is for a different DID");
    }

    @Test
    void missingPartsAreEmptyNotGuessed() throws Exception {
        JsonNode doc = JSON.readTree("""
                {"id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n","alsoKnownAs":["at://not_a_handle"],
                 "service":[{"id":"#atproto_pds","type":"SomethingElse","serviceEndpoint":"https://pds.example.com"}]}
                """);
        DidDocument parsed = DidDocument.parse(DID, doc, Instant.EPOCH);
        assertThat(parsed.handle()).isEmpty();
        assertThat(parsed.pds()).isEmpty();
        assertThat(parsed.signingKey()).isEmpty();
    }

    @Test
    void anUnusableSigningKeyIsAnError() throws Exception {
        JsonNode doc = JSON.readTree("""
                {"id":"did:plc:gxv4x6n5iqm6fvtddbmbe43n","verificationMethod":[
                  {"id":"#atproto","type":"Multikey","publicKeyMultibase":"z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK"}]}
                """);
        assertThatThrownBy(() -> DidDocument.parse(DID, doc, Instant.EPOCH))
                .isInstanceOf(IdentityException.class).hasMessageContaining("unusable #atproto key");
    }
}
