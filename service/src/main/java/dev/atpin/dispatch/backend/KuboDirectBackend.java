package dev.atpin.dispatch.backend;

import dev.atpin.dispatch.DispatchConfig;
import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.kubo.NodeIdentity;
import dev.atpin.kubo.KuboRpcUrl;
import dev.atpin.kubo.RegisteredNodes;
import io.smallrye.common.annotation.Identifier;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.Consumer;
import java.util.function.LongConsumer;
import org.jboss.logging.Logger;

/**
 * Each Kubo node is a target, driven over its RPC API: the configured ones ({@code atpin.kubo.nodes}) and the ones
 * operators registered through the admin API ({@link RegisteredNodes}). Our placements and healer decide which
 * nodes hold a content, so R copies are R targets.
 */
@ApplicationScoped
@Identifier(KuboDirectBackend.NAME)
public class KuboDirectBackend implements PinBackend {

    public static final String NAME = "kubo";
    private static final int MAX_DELEGATES_PER_NODE = 4;

    private static final Logger LOG = Logger.getLogger(KuboDirectBackend.class);

    private final KuboNodes nodes;
    private final RegisteredNodes registered;
    private final DispatchConfig config;

    KuboDirectBackend(KuboNodes nodes, RegisteredNodes registered, DispatchConfig config) {
        this.nodes = nodes;
        this.registered = registered;
        this.config = config;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public List<String> targets() {
        return nodes.all().stream().map(KuboClient::name).toList();
    }

    @Override
    public void refreshTargets() {
        try {
            Set<String> changed = nodes.sync(registered.all());
            if (!changed.isEmpty()) {
                LOG.infof("registered Kubo nodes added or removed: %s; targets now %s", changed, targets());
            }
        } catch (SQLException e) {
            LOG.warn("could not read the registered Kubo nodes; keeping the known ones", e);
        }
    }

    @Override
    public String address(String target) {
        return node(target).rpcUrl();
    }

    @Override
    public TargetProbe probe(String target) throws PinBackendException {
        KuboClient node = node(target);
        if (!nodes.isConfigured(target)) {
            // Checked again with every poll, not only at registration: the host's DNS name may point elsewhere
            // since. A refused address makes the node unhealthy, so workers stop using it within one poll.
            try {
                KuboRpcUrl.check(node.rpcUrl(), nodes.rpcTimeout());
            } catch (KuboRpcUrl.Refused e) {
                throw new PinBackendException(e.getMessage(), e);
            }
        }
        try {
            NodeIdentity id = node.id();
            return new TargetProbe(id, node.repoStat(), delegateAddresses(target, id));
        } catch (KuboException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    @Override
    public KuboClient fetcher(String target) {
        return node(target);
    }

    /** Origins were dialled from this very node by the fetch step: nothing more to dial here. */
    @Override
    public List<String> pin(String target, String cid, String name, int replication, List<String> origins,
            LongConsumer progress) throws PinBackendException {
        try {
            node(target).pinAdd(cid, name, config.noProgressTimeout(), progress);
            return List.of(); // the placement row is the copy
        } catch (KuboException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    @Override
    public void unpinOurs(String target, String cid) throws PinBackendException {
        KuboClient node = node(target);
        try {
            Optional<String> pinName = node.pinName(cid);
            if (pinName.isPresent() && pinName.get().startsWith(config.pinNamePrefix())) {
                node.pinRm(cid);
            }
        } catch (KuboException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    @Override
    public void streamOurPins(String target, Consumer<String> each) throws PinBackendException {
        try {
            node(target).streamRecursivePins(pin -> {
                if (pin.name().startsWith(config.pinNamePrefix())) {
                    each.accept(pin.cid());
                }
            });
        } catch (KuboException e) {
            throw new PinBackendException(e.getMessage(), e);
        }
    }

    /** A failed Kubo pin is our placement's failure: the queue retries it with backoff. */
    @Override
    public int recoverFailed(String target) {
        return 0;
    }

    private KuboClient node(String target) {
        return nodes.byName(target).orElseThrow(() -> new IllegalArgumentException("no Kubo node " + target));
    }

    /** Configured {@code announce} addresses win over the node's own. */
    private List<String> delegateAddresses(String name, NodeIdentity id) {
        Optional<List<String>> announce = nodes.announce(name);
        return DelegateAddresses.choose(announce.orElse(id.addresses()), id.peerId(), announce.isPresent(),
                MAX_DELEGATES_PER_NODE);
    }
}
