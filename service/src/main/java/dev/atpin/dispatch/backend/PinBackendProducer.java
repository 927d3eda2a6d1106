package dev.atpin.dispatch.backend;

import dev.atpin.dispatch.DispatchConfig;
import dev.atpin.ipfscluster.IpfsClusterConfig;
import io.quarkus.runtime.Startup;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.inject.Any;
import jakarta.enterprise.inject.Instance;
import jakarta.enterprise.inject.Produces;
import org.jboss.logging.Logger;

/**
 * Makes the one {@link PinBackend} the dispatch code injects: the bean whose {@code @Identifier} is
 * {@code atpin.dispatch.backend} (Debezium Server picks its sink the same way). Built at startup, so a bad
 * name or a missing setting stops the replica before it takes any work.
 */
@ApplicationScoped
public class PinBackendProducer {

    private static final Logger LOG = Logger.getLogger(PinBackendProducer.class);

    @Produces
    @Startup
    @ApplicationScoped
    PinBackend backend(DispatchConfig dispatch, IpfsClusterConfig cluster, @Any Instance<PinBackend> backends) {
        String name = PinBackendChoice.choose(dispatch.backend(), cluster);
        PinBackend backend = backends.select(Identifier.Literal.of(name)).get();
        LOG.infof("Pin backend: %s, targets %s", name, backend.targets());
        return backend;
    }
}
