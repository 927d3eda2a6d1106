package dev.atpin.kubo;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The infrastructure rule for registered Kubo RPC URLs (ADR 0102): the operator's network yes, metadata never. */
class KuboRpcUrlTest {

    private static final Duration TIMEOUT = Duration.ofSeconds(3);

    @Test
    void shouldAcceptLoopbackPrivateAndUniqueLocalAddressesOnAnyPort() throws Exception {
        assertThat(KuboRpcUrl.check("http://127.0.0.1:5001/", TIMEOUT)).isEqualTo("http://127.0.0.1:5001");
        assertThat(KuboRpcUrl.check("http://10.0.3.7:5001", TIMEOUT)).isEqualTo("http://10.0.3.7:5001");
        assertThat(KuboRpcUrl.check("https://192.168.1.20:15001", TIMEOUT)).isEqualTo("https://192.168.1.20:15001");
        assertThat(KuboRpcUrl.check("http://[fd12:3456::1]:5001", TIMEOUT)).isEqualTo("http://[fd12:3456::1]:5001");
        assertThat(KuboRpcUrl.check("http://100.64.0.9:5001", TIMEOUT)).isEqualTo("http://100.64.0.9:5001");
    }

    @Test
    void shouldRefuseMetadataLinkLocalAndOtherSpecialAddresses() {
        for (String url : new String[] {"http://169.254.169.254:5001", "http://[fd00:ec2::254]:5001",
                "http://[fe80::1]:5001", "http://0.0.0.0:5001", "http://224.0.0.1:5001", "http://192.0.2.1:5001",
                "http://[::ffff:169.254.169.254]:5001"}) {
            assertThatThrownBy(() -> KuboRpcUrl.check(url, TIMEOUT)).as(url).isInstanceOf(KuboRpcUrl.Refused.class);
        }
    }

    @Test
    void shouldRefuseOtherSchemesCredentialsPathsAndQueries() {
        for (String url : new String[] {"ftp://127.0.0.1:5001", "file:///etc/passwd", "http://u:p@127.0.0.1:5001",
                "http://127.0.0.1:5001/api/v0", "http://127.0.0.1:5001?x=1", "http://127.0.0.1:5001#f", "http://:5001",
                "not a url", "http://no-such-host.invalid:5001"}) {
            assertThatThrownBy(() -> KuboRpcUrl.check(url, TIMEOUT)).as(url).isInstanceOf(KuboRpcUrl.Refused.class);
        }
    }
}
