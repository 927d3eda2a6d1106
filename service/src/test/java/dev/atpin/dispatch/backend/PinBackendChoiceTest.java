package dev.atpin.dispatch.backend;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.atpin.ipfscluster.IpfsClusterConfig;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;

class PinBackendChoiceTest {

    @Test
    void shouldChooseKuboDirectWithoutAnyClusterSetting() {
        assertThat(PinBackendChoice.choose("kubo", cluster(null, null))).isEqualTo(KuboDirectBackend.NAME);
    }

    @Test
    void shouldChooseIpfsClusterWhenBothOfItsUrlsAreSet() {
        assertThat(PinBackendChoice.choose("ipfs-cluster", cluster("http://127.0.0.1:9094", "http://127.0.0.1:5001")))
                .isEqualTo(IpfsClusterBackend.NAME);
    }

    @Test
    void shouldRefuseAnUnknownBackendNamingTheSettingAndTheChoices() {
        assertThatThrownBy(() -> PinBackendChoice.choose("s3", cluster(null, null)))
                .isInstanceOf(PinBackendChoice.MisconfiguredBackend.class)
                .hasMessageContaining("atpin.dispatch.backend=s3")
                .hasMessageContaining("kubo, ipfs-cluster");
    }

    @Test
    void shouldRefuseIpfsClusterWithoutItsRestUrl() {
        assertThatThrownBy(() -> PinBackendChoice.choose("ipfs-cluster", cluster(null, "http://127.0.0.1:5001")))
                .isInstanceOf(PinBackendChoice.MisconfiguredBackend.class)
                .hasMessageContaining("atpin.ipfs-cluster.rest-url")
                .hasMessageNotContaining("ipfs-rpc-url");
    }

    @Test
    void shouldRefuseIpfsClusterWithABlankRestUrlAndNoIpfsRpcUrl() {
        assertThatThrownBy(() -> PinBackendChoice.choose("ipfs-cluster", cluster(" ", null)))
                .hasMessageContaining("atpin.ipfs-cluster.rest-url")
                .hasMessageContaining("atpin.ipfs-cluster.ipfs-rpc-url");
    }

    private static IpfsClusterConfig cluster(String restUrl, String ipfsRpcUrl) {
        return new IpfsClusterConfig() {
            @Override
            public Optional<String> restUrl() {
                return Optional.ofNullable(restUrl);
            }

            @Override
            public Optional<String> authorization() {
                return Optional.empty();
            }

            @Override
            public Optional<String> ipfsRpcUrl() {
                return Optional.ofNullable(ipfsRpcUrl);
            }

            @Override
            public Duration timeout() {
                return Duration.ofSeconds(10);
            }

            @Override
            public Duration statusPollInterval() {
                return Duration.ofMillis(50);
            }

            @Override
            public Duration statusPollMaxInterval() {
                return Duration.ofSeconds(2);
            }
        };
    }
}
