package dev.atpin.ipfscluster;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;
import java.util.Optional;

/**
 * The IPFS Cluster the service pins through when {@code atpin.dispatch.backend=ipfs-cluster}
 * ({@code atpin.ipfs-cluster.*}). Optional here so that a Kubo-direct deployment needs none of it; the
 * backend's producer refuses to start without the URLs when the cluster is chosen.
 */
@ConfigMapping(prefix = "atpin.ipfs-cluster")
public interface IpfsClusterConfig {

    /** Base URL of one cluster peer's REST API, e.g. {@code http://127.0.0.1:9094}. */
    Optional<String> restUrl();

    /**
     * {@code Authorization} header for a REST API with {@code basic_auth_credentials} or JWT
     * ({@code Basic <base64>} or {@code Bearer <token>}). Pass it through the environment. Empty: an open API.
     */
    Optional<String> authorization();

    /**
     * Kubo RPC URL of the same peer's IPFS daemon (e.g. {@code http://127.0.0.1:5001}): origins are dialled and
     * DAGs measured against quotas there before the cluster is asked to pin.
     */
    Optional<String> ipfsRpcUrl();

    /** Timeout of one REST call. */
    @WithDefault("10s")
    Duration timeout();

    /**
     * While the service waits for the cluster to report a pin pinned, its status is first read this long after the
     * pin and again this long after each change; one reader asks for every pin in flight at once
     * ({@code GET /pins?cids=...}).
     */
    @WithDefault("50ms")
    Duration statusPollInterval();

    /** While a pin's status does not change, the delay between reads doubles up to this. */
    @WithDefault("2s")
    Duration statusPollMaxInterval();
}
