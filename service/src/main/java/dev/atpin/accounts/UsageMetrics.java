package dev.atpin.accounts;

import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;
import org.jboss.logging.Logger;

/**
 * Per-plan usage as Prometheus gauges ({@code atpin_plan_pins}, {@code atpin_plan_bytes},
 * {@code atpin_plan_accounts}), refreshed from the exact counters, never by scanning pins.
 */
@ApplicationScoped
public class UsageMetrics {

    private static final Logger LOG = Logger.getLogger(UsageMetrics.class);

    private final AgroalDataSource db;
    private final MeterRegistry registry;
    private final Map<String, AtomicLong> values = new ConcurrentHashMap<>();

    UsageMetrics(AgroalDataSource db, MeterRegistry registry) {
        this.db = db;
        this.registry = registry;
    }

    @Scheduled(every = "30s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void refresh() {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        select a.plan, count(distinct a.did), coalesce(sum(u.pins), 0), coalesce(sum(u.bytes), 0)
                        from account a left join account_usage u on u.did = a.did
                        group by a.plan""");
                ResultSet rs = q.executeQuery()) {
            while (rs.next()) {
                String plan = rs.getString(1);
                gauge("atpin.plan.accounts", plan).set(rs.getLong(2));
                gauge("atpin.plan.pins", plan).set(rs.getLong(3));
                gauge("atpin.plan.bytes", plan).set(rs.getLong(4));
            }
        } catch (SQLException e) {
            LOG.warn("could not refresh usage metrics", e);
        }
    }

    private AtomicLong gauge(String name, String plan) {
        return values.computeIfAbsent(name + "|" + plan, key -> {
            AtomicLong value = new AtomicLong();
            Gauge.builder(name, value, AtomicLong::get).tag("plan", plan).register(registry);
            return value;
        });
    }
}
