package dev.atpin.health;

import dev.atpin.dispatch.NodeRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.HealthCheckResponseBuilder;
import org.eclipse.microprofile.health.Readiness;

/**
 * Ready while at least one Kubo node answered its last health poll: a replica can still take requests
 * (they are queued in Postgres) and pin on the nodes that answer, so one lost node must not take every
 * replica out of the load balancer. Each node's state is reported, never fatal on its own. (PostgreSQL has
 * its own readiness check, from the datasource.)
 */
@Readiness
@ApplicationScoped
public class KuboReadiness implements HealthCheck {

    private final NodeRegistry nodes;

    KuboReadiness(NodeRegistry nodes) {
        this.nodes = nodes;
    }

    @Override
    public HealthCheckResponse call() {
        HealthCheckResponseBuilder response = HealthCheckResponse.named("kubo");
        if (nodes.names().isEmpty()) {
            return response.down().withData("error", "no Kubo node configured (atpin.kubo.nodes)").build();
        }
        int usable = 0;
        for (String node : nodes.names()) {
            boolean answers = nodes.isHealthy(node);
            usable += answers ? 1 : 0;
            response.withData(node + ".state", nodes.stateOf(node).db());
            nodes.identityOf(node).ifPresent(id -> response.withData(node + ".peer-id", id.peerId())
                    .withData(node + ".version", id.version()));
            nodes.errorOf(node).ifPresent(error -> response.withData(node + ".error", error));
        }
        response.withData("usable", usable);
        return (usable > 0 ? response.up() : response.down()).build();
    }
}
