package dev.atpin.watcher;

import dev.atpin.identity.IdentityConfig;
import dev.atpin.identity.net.AddressPolicy;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.InetAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalLong;
import java.util.Set;
import java.util.TreeSet;
import org.jboss.logging.Logger;

/**
 * Decides which firehoses to follow (the configured relay, or each enrolled user's PDS) and makes
 * sure exactly one replica follows each: the one holding the upstream's Postgres advisory lock.
 * Saves each cursor on an interval and at shutdown.
 */
@ApplicationScoped
public class FirehoseSupervisor {

    private static final Logger LOG = Logger.getLogger(FirehoseSupervisor.class);

    private final WatcherConfig config;
    private final IdentityConfig identityConfig;
    private final WatchedRepos repos;
    private final FirehoseHandler handler;
    private final AgroalDataSource db;
    private final Map<String, Leadership> led = new HashMap<>();
    private boolean paused;

    FirehoseSupervisor(WatcherConfig config, IdentityConfig identityConfig, WatchedRepos repos, FirehoseHandler handler,
            AgroalDataSource db) {
        this.config = config;
        this.identityConfig = identityConfig;
        this.repos = repos;
        this.handler = handler;
        this.db = db;
    }

    /** A followed upstream: its consumer and the connection that holds its advisory lock. */
    private record Leadership(FirehoseConsumer consumer, Connection lock) {}

    @Scheduled(every = "${atpin.watcher.supervise-interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void supervise() {
        if (!config.enabled() || paused) {
            return;
        }
        Set<String> wanted = upstreams();
        for (String upstream : Set.copyOf(led.keySet())) {
            if (!wanted.contains(upstream)) {
                release(upstream);
            }
        }
        for (String upstream : wanted) {
            if (!led.containsKey(upstream)) {
                tryToLead(upstream);
            }
        }
    }

    @Scheduled(every = "${atpin.watcher.cursor-save-interval:5s}", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void saveCursors() {
        for (Leadership l : led.values()) {
            saveCursor(l.consumer());
        }
    }

    synchronized void onStop(@Observes ShutdownEvent event) {
        for (String upstream : Set.copyOf(led.keySet())) {
            release(upstream);
        }
    }

    /** Stops following every upstream until {@link #resume()}, saving cursors: a watcher outage. */
    public synchronized void pause() {
        paused = true;
        onStop(null);
    }

    public synchronized void resume() {
        paused = false;
    }

    private Set<String> upstreams() {
        Set<String> out = new TreeSet<>();
        if (config.relay().isPresent()) {
            String relay = config.relay().get().toString().replaceAll("/$", "");
            repos.relay(relay);
            out.add(relay);
            return out;
        }
        handler.watched().values().stream()
                .filter(r -> r.pdsUrl() != null && r.state() != RepoState.UNENROLLED)
                .forEach(r -> out.add(r.pdsUrl().replaceAll("/$", "")));
        return out;
    }

    private void tryToLead(String upstream) {
        Optional<URI> endpoint = websocketEndpoint(upstream);
        if (endpoint.isEmpty()) {
            return;
        }
        Connection lock = null;
        try {
            lock = db.getConnection();
            try (PreparedStatement q = lock.prepareStatement("select pg_try_advisory_lock(hashtextextended(?, 7))")) {
                q.setString(1, "atpin-firehose:" + upstream);
                try (ResultSet rs = q.executeQuery()) {
                    rs.next();
                    if (!rs.getBoolean(1)) {
                        lock.close();
                        return; // another replica follows it
                    }
                }
            }
            Optional<Long> cursor = repos.cursor(upstream);
            FirehoseConsumer consumer = new FirehoseConsumer(upstream, endpoint.get(),
                    cursor.map(OptionalLong::of).orElse(OptionalLong.empty()), handler, config.reconnectDelay());
            led.put(upstream, new Leadership(consumer, lock));
            consumer.start();
        } catch (SQLException e) {
            LOG.warnf("cannot take the lead on %s: %s", upstream, e.getMessage());
            closeQuietly(lock);
        }
    }

    private void release(String upstream) {
        Leadership l = led.remove(upstream);
        if (l == null) {
            return;
        }
        l.consumer().stop();
        saveCursor(l.consumer());
        try (PreparedStatement q = l.lock().prepareStatement("select pg_advisory_unlock(hashtextextended(?, 7))")) {
            q.setString(1, "atpin-firehose:" + upstream);
            q.execute();
        } catch (SQLException e) {
            LOG.debugf("unlock of %s failed (the lock goes with the connection): %s", upstream, e.getMessage());
        }
        closeQuietly(l.lock());
    }

    private void saveCursor(FirehoseConsumer consumer) {
        long seq = consumer.lastSeq();
        if (seq >= 0) {
            try {
                repos.saveCursor(consumer.upstream(), seq);
            } catch (SQLException e) {
                LOG.warnf("could not save the cursor of %s: %s", consumer.upstream(), e.getMessage());
            }
        }
    }

    /**
     * ws(s) URL of an upstream. A PDS URL comes from a user's DID document: only public wss
     * endpoints, unless the development flag allows loopback http.
     */
    private Optional<URI> websocketEndpoint(String upstream) {
        try {
            URI uri = URI.create(upstream);
            boolean secure = "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme());
            if (!secure && !identityConfig.allowInsecureLocal()) {
                LOG.infof("not following %s: only https/wss upstreams are allowed", upstream);
                return Optional.empty();
            }
            if (!identityConfig.allowInsecureLocal() && config.relay().isEmpty()) {
                for (InetAddress address : InetAddress.getAllByName(uri.getHost())) {
                    Optional<String> forbidden = AddressPolicy.forbidden(address);
                    if (forbidden.isPresent()) {
                        LOG.infof("not following %s: %s", upstream, forbidden.get());
                        return Optional.empty();
                    }
                }
            }
            String scheme = secure ? "wss" : "ws";
            return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority()));
        } catch (IllegalArgumentException | UnknownHostException e) {
            LOG.infof("not following %s: %s", upstream, e.getMessage());
            return Optional.empty();
        }
    }

    private static void closeQuietly(Connection c) {
        if (c != null) {
            try {
                c.close();
            } catch (SQLException ignored) {
                // the pool discards it
            }
        }
    }
}
