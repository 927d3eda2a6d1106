package dev.atpin.health;

import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.kubo.NodeIdentity;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/** Ready only when every configured Kubo node answers; reports each node's peer ID and version. */
@Readiness
@ApplicationScoped
public class KuboReadiness implements HealthCheck {

    private final KuboNodes nodes;

    KuboReadiness(KuboNodes nodes) {
        this.nodes = nodes;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kubo").up();
        if (nodes.all().isEmpty()) {
            return response.down().withData("error", "no Kubo node configured (atpin.kubo.nodes)").build();
        }
        for (KuboClient node : nodes.all()) {
            try {
                NodeIdentity id = node.id();
                response.withData(node.name() + ".peer-id", id.peerId())
                        .withData(node.name() + ".version", node.version());
            } catch (KuboException e) {
                response.down().withData(node.name() + ".error", e.getMessage());
            }
        }
        return response.build();
    }
}
