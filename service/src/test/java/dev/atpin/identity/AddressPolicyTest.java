package dev.atpin.identity;

import static org.assertj.core.api.Assertions.assertThat;

import dev.atpin.identity.net.AddressPolicy;
import java.net.InetAddress;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Which addresses a user-supplied URL may reach. IP literals only: no DNS is involved. */
class AddressPolicyTest {

    @ParameterizedTest(name = "{0} is {1}")
    @CsvSource({
        "127.0.0.1, loopback",
        "127.255.0.9, loopback",
        "::1, loopback",
        "::ffff:127.0.0.1, loopback",
        "0.0.0.0, unspecified",
        "::, unspecified",
        "10.1.2.3, private",
        "172.16.0.1, private",
        "172.31.255.255, private",
        "192.168.1.1, private",
        "169.254.169.254, link-local",
        "fe80::1, link-local",
        "fd00::7, unique-local",
        "fc00::1, unique-local",
        "100.64.0.1, shared (carrier-grade NAT)",
        "224.0.0.1, multicast",
        "ff02::1, multicast",
        "255.255.255.255, reserved",
        "192.0.2.1, documentation",
        "2001:db8::1, documentation",
        "64:ff9b::a00:1, private",
        "2002:7f00:1::, loopback",
        "::10.0.0.1, private",
    })
    void specialAddressesAreRefused(String literal, String category) throws Exception {
        assertThat(AddressPolicy.forbidden(InetAddress.getByName(literal))).contains(category);
    }

    @ParameterizedTest(name = "{0} is public")
    @CsvSource({"93.184.215.14", "172.32.0.1", "8.8.8.8", "2606:4700::6810:84e5", "2a00:1450:4001:80b::200e",
            "64:ff9b::808:808"})
    void publicUnicastAddressesAreAllowed(String literal) throws Exception {
        assertThat(AddressPolicy.forbidden(InetAddress.getByName(literal))).isEmpty();
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"127.0.0.1", "::1", "::ffff:127.0.0.2"})
    void loopbackIsRecognizedInEveryForm(String literal) throws Exception {
        assertThat(AddressPolicy.isLoopback(InetAddress.getByName(literal))).isTrue();
    }
}
