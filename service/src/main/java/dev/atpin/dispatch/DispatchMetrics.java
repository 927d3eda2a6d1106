package dev.atpin.dispatch;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Dispatch gauges the alerts of the Helm chart's PrometheusRule rest on:
 * {@code atpin_dispatch_placements{state}} (queued, pinning, failed: the work not done; pinned is not counted,
 * it would be a scan of everything), {@code atpin_dispatch_queue_oldest_seconds} (how long the oldest due
 * placement has waited) and {@code atpin_kubo_node_healthy{node}} (1 while this replica reaches the node).
 */
@ApplicationScoped
public class DispatchMetrics {

    private static final Logger LOG = Logger.getLogger(DispatchMetrics.class);
    private static final List<String> STATES = List.of("queued", "pinning", "failed");

    private final AgroalDataSource db;
    private final Map<String, AtomicLong> placements = new ConcurrentHashMap<>();
    private final AtomicLong oldest = new AtomicLong();

    DispatchMetrics(AgroalDataSource db, MeterRegistry meters) {
        this.db = db;
        for (String state : STATES) {
            AtomicLong value = new AtomicLong();
            placements.put(state, value);
            Gauge.builder("atpin.dispatch.placements", value, AtomicLong::get).tag("state", state).register(meters);
        }
        Gauge.builder("atpin.dispatch.queue.oldest.seconds", oldest, AtomicLong::get).register(meters);
        // atpin_kubo_node_healthy{node} is registered by NodeRegistry as it first sees each node: registered
        // nodes come and go while the replica runs.
    }

    @Scheduled(every = "30s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection c = db.getConnection();
                PreparedStatement counts = c.prepareStatement(
                        "select state, count(*) from placement where state in ('queued', 'pinning', 'failed') group by state");
                PreparedStatement age = c.prepareStatement("""
                        select coalesce(extract(epoch from now() - min(next_attempt_at)), 0)
                        from placement where state = 'queued' and next_attempt_at <= now()""")) {
            Map<String, Long> found = new java.util.HashMap<>();
            try (ResultSet rs = counts.executeQuery()) {
                while (rs.next()) {
                    found.put(rs.getString(1), rs.getLong(2));
                }
            }
            placements.forEach((state, value) -> value.set(found.getOrDefault(state, 0L)));
            try (ResultSet rs = age.executeQuery()) {
                oldest.set(rs.next() ? (long) rs.getDouble(1) : 0);
            }
        } catch (SQLException e) {
            LOG.warn("could not refresh dispatch metrics", e);
        }
    }
}
