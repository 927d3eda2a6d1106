package dev.atpin.dispatch.backend;

import dev.atpin.ipfscluster.IpfsClusterConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * Reads {@code atpin.dispatch.backend} and checks that the chosen backend has what it needs, so a misconfigured
 * replica stops at start with a sentence that names the setting, instead of failing its first pin.
 */
public final class PinBackendChoice {

    static final List<String> KNOWN = List.of(KuboDirectBackend.NAME, IpfsClusterBackend.NAME);

    private PinBackendChoice() {}

    /** A configuration the service cannot run with. */
    public static final class MisconfiguredBackend extends IllegalStateException {
        MisconfiguredBackend(String message) {
            super(message);
        }
    }

    /**
     * @return the backend's name, as the {@code @Identifier} of its bean
     * @throws MisconfiguredBackend for an unknown name, or IPFS Cluster without its URLs
     */
    public static String choose(String backend, IpfsClusterConfig cluster) {
        String name = backend.strip();
        if (!KNOWN.contains(name)) {
            throw new MisconfiguredBackend("atpin.dispatch.backend=" + backend + " is not a pin backend; choose one of "
                    + String.join(", ", KNOWN));
        }
        if (name.equals(IpfsClusterBackend.NAME)) {
            List<String> missing = new ArrayList<>();
            if (cluster.restUrl().filter(u -> !u.isBlank()).isEmpty()) {
                missing.add("atpin.ipfs-cluster.rest-url (the REST API of one cluster peer)");
            }
            if (cluster.ipfsRpcUrl().filter(u -> !u.isBlank()).isEmpty()) {
                missing.add("atpin.ipfs-cluster.ipfs-rpc-url (the Kubo RPC of that peer's IPFS daemon)");
            }
            if (!missing.isEmpty()) {
                throw new MisconfiguredBackend("atpin.dispatch.backend=ipfs-cluster needs " + String.join(" and ", missing));
            }
        }
        return name;
    }

    static MisconfiguredBackend missing(String key) {
        return new MisconfiguredBackend("atpin.dispatch.backend=ipfs-cluster needs atpin.ipfs-cluster." + key);
    }
}
