package dev.atpin.watcher;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.util.EnumMap;
import java.util.Map;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Watcher gauges: {@code atpin_watcher_repos{state}} and {@code atpin_watcher_lag_seconds} (the
 * oldest event time of an active repo behind now), from the handler's view of the watched repos.
 */
@ApplicationScoped
public class WatcherMetrics {

    private final FirehoseHandler handler;
    private final Map<RepoState, AtomicLong> byState = new EnumMap<>(RepoState.class);
    private final AtomicLong lag = new AtomicLong();

    WatcherMetrics(FirehoseHandler handler, MeterRegistry registry) {
        this.handler = handler;
        for (RepoState state : RepoState.values()) {
            AtomicLong value = new AtomicLong();
            byState.put(state, value);
            Gauge.builder("atpin.watcher.repos", value, AtomicLong::get).tag("state", state.db()).register(registry);
        }
        Gauge.builder("atpin.watcher.lag.seconds", lag, AtomicLong::get).register(registry);
    }

    @Scheduled(every = "10s", delayed = "3s")
    void refresh() {
        Map<RepoState, Long> counts = new EnumMap<>(RepoState.class);
        long maxLag = 0;
        for (WatchedRepo repo : handler.watched().values()) {
            counts.merge(repo.state(), 1L, Long::sum);
            if (repo.state() == RepoState.ACTIVE && repo.lagSeconds() != null) {
                maxLag = Math.max(maxLag, repo.lagSeconds());
            }
        }
        byState.forEach((state, value) -> value.set(counts.getOrDefault(state, 0L)));
        lag.set(maxLag);
    }
}
