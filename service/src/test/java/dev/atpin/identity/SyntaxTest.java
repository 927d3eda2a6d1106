package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

/** Handle and DID syntax against the atproto interop vectors. */
class SyntaxTest {

    @Test
    void everyValidHandleVectorIsAccepted() {
        assertThat(InteropVectors.lines("handle_syntax_valid.txt"))
                .hasSizeGreaterThan(50)
                .allSatisfy(h -> assertThat(Handle.isValid(h)).as(h).isTrue());
    }

    @Test
    void everyInvalidHandleVectorIsRefused() {
        assertThat(InteropVectors.lines("handle_syntax_invalid.txt"))
                .hasSizeGreaterThan(30)
                .allSatisfy(h -> {
                    assertThat(Handle.isValid(h)).as(h).isFalse();
                    assertThatThrownBy(() -> new Handle(h)).isInstanceOf(IdentityException.class)
                            .hasMessageStartingWith("not a valid handle");
                });
    }

    @Test
    void handlesAreNormalizedToLowercaseAndAcceptTypedPrefixes() {
        assertThat(new Handle("Alice.Example.COM").value()).isEqualTo("alice.example.com");
        assertThat(Handle.parse("@Alice.example.com")).isEqualTo(new Handle("alice.example.com"));
        assertThat(Handle.parse(" at://alice.example.com ")).isEqualTo(new Handle("alice.example.com"));
    }

    @Test
    void reservedTopLevelDomainsAreValidSyntaxButNeverResolvable() {
        assertThat(new Handle("laptop.local").unresolvableReason()).hasValueSatisfying(
                r -> assertThat(r).contains(".local"));
        assertThat(Handle.INVALID.unresolvableReason()).isPresent();
        assertThat(new Handle("alice.onion").unresolvableReason()).isPresent();
        assertThat(new Handle("alice.example.com").unresolvableReason()).isEmpty();
        assertThat(new Handle("alice.test").isTest()).isTrue();
    }

    @Test
    void everyValidDidVectorIsAccepted() {
        assertThat(InteropVectors.lines("did_syntax_valid.txt"))
                .hasSizeGreaterThan(20)
                .allSatisfy(d -> assertThat(Did.isValid(d)).as(d).isTrue());
    }

    @Test
    void everyInvalidDidVectorIsRefused() {
        assertThat(InteropVectors.lines("did_syntax_invalid.txt"))
                .hasSizeGreaterThan(10)
                .allSatisfy(d -> assertThat(Did.isValid(d)).as(d).isFalse());
    }

    @Test
    void didPartsAndPlcFormAreRecognized() {
        Did plc = new Did("did:plc:7iza6de2dwap2sbkpav7c6c6");
        assertThat(plc.method()).isEqualTo("plc");
        assertThat(plc.isWellFormedPlc()).isTrue();
        assertThat(new Did("did:plc:tooshort").isWellFormedPlc()).isFalse();
        Did web = new Did("did:web:localhost%3A1234");
        assertThat(web.method()).isEqualTo("web");
        assertThat(web.identifier()).isEqualTo("localhost%3A1234");
    }
}
