package dev.atpin.watcher;

import dev.atpin.identity.IdentityConfig;
import dev.atpin.identity.net.SafeHttpClient;
import dev.atpin.identity.net.UrlPolicy;
import io.agroal.api.AgroalDataSource;
import io.quarkus.runtime.ShutdownEvent;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import java.net.URI;
import java.net.http.HttpClient;
import java.sql.SQLException;
import java.time.Duration;
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
 * All of this replica's locks live on one connection ({@link UpstreamLocks}) and all its sockets share
 * one HTTP client, so following many upstreams costs one database connection. At most
 * {@link WatcherConfig#maxUpstreams()} upstreams are followed. Saves each cursor on an interval and at
 * shutdown.
 */
@ApplicationScoped
public class FirehoseSupervisor {

    private static final Logger LOG = Logger.getLogger(FirehoseSupervisor.class);

    private final WatcherConfig config;
    private final IdentityConfig identityConfig;
    private final WatchedRepos repos;
    private final FirehoseHandler handler;
    private final UpstreamLocks locks;
    private final UrlPolicy urlPolicy;
    // One client for every socket: it has one selector thread, however many upstreams it serves.
    // HTTP/1.1: the PDS closes connections that ask for an HTTP/2 upgrade on plain http.
    private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
            .connectTimeout(Duration.ofSeconds(10)).build();
    private final Map<String, FirehoseConsumer> led = new HashMap<>();
    private boolean paused;

    FirehoseSupervisor(WatcherConfig config, IdentityConfig identityConfig, WatchedRepos repos, FirehoseHandler handler,
            AgroalDataSource db, SafeHttpClient safeHttp) {
        this.config = config;
        this.identityConfig = identityConfig;
        this.repos = repos;
        this.handler = handler;
        this.locks = new UpstreamLocks(db);
        this.urlPolicy = safeHttp.policy();
    }

    @Scheduled(every = "${atpin.watcher.supervise-interval:2s}", delayed = "1s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    synchronized void supervise() {
        if (!config.enabled() || paused) {
            return;
        }
        if (!locks.alive()) {
            // The connection holding our locks is gone, and the locks with it: another replica may lead now.
            LOG.warn("lost the connection that holds the firehose locks; following again once re-elected");
            for (FirehoseConsumer consumer : led.values()) {
                consumer.stop();
            }
            led.clear();
            locks.reset();
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
        for (FirehoseConsumer consumer : led.values()) {
            saveCursor(consumer);
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
        if (out.size() > config.maxUpstreams()) {
            // Enrollment refuses new hosts beyond the bound; this holds it even if the setting was lowered,
            // keeping the hosts of repos that are in step (or getting there) before those of failing ones.
            LOG.warnf("%d upstreams wanted, following %d (atpin.watcher.max-upstreams)", out.size(),
                    config.maxUpstreams());
            Set<String> healthy = new TreeSet<>();
            handler.watched().values().stream()
                    .filter(r -> r.pdsUrl() != null && (r.state() == RepoState.ACTIVE
                            || r.state() == RepoState.RESYNCING || r.state() == RepoState.DESYNCHRONIZED))
                    .forEach(r -> healthy.add(r.pdsUrl().replaceAll("/$", "")));
            Set<String> kept = new TreeSet<>();
            java.util.stream.Stream.concat(healthy.stream(), out.stream())
                    .filter(out::contains).distinct().limit(config.maxUpstreams()).forEach(kept::add);
            return kept;
        }
        return out;
    }

    private void tryToLead(String upstream) {
        Optional<URI> endpoint = websocketEndpoint(upstream);
        if (endpoint.isEmpty()) {
            return;
        }
        try {
            if (!locks.tryLock(upstream)) {
                return; // another replica follows it
            }
            Optional<Long> cursor = repos.cursor(upstream);
            // A relay is the operator's choice; a PDS URL comes from a user's DID document, so its socket is
            // checked against the address policy on every (re)connect, after resolution.
            Optional<UrlPolicy> check = config.relay().isPresent() ? Optional.empty() : Optional.of(urlPolicy);
            FirehoseConsumer consumer = new FirehoseConsumer(upstream, endpoint.get(),
                    cursor.map(OptionalLong::of).orElse(OptionalLong.empty()), handler, config.reconnectDelay(),
                    config.idleTimeout(), http, check);
            led.put(upstream, consumer);
            consumer.start();
        } catch (SQLException e) {
            LOG.warnf("cannot take the lead on %s: %s", upstream, e.getMessage());
        }
    }

    private void release(String upstream) {
        FirehoseConsumer consumer = led.remove(upstream);
        if (consumer == null) {
            return;
        }
        consumer.stop();
        saveCursor(consumer);
        locks.unlock(upstream);
    }

    /** Database connections held for firehose leadership: at most one, however many upstreams are followed. */
    synchronized int lockConnections() {
        return locks.connections();
    }

    /** Upstreams this replica follows now. */
    synchronized Set<String> following() {
        return Set.copyOf(led.keySet());
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
     * ws(s) URL of an upstream. Plain http is only for local runs ({@code atpin.identity.allow-insecure-local});
     * the host and port are checked by the consumer before each connection.
     */
    private Optional<URI> websocketEndpoint(String upstream) {
        try {
            URI uri = URI.create(upstream);
            boolean secure = "https".equals(uri.getScheme()) || "wss".equals(uri.getScheme());
            if (!secure && !identityConfig.allowInsecureLocal()) {
                LOG.infof("not following %s: only https/wss upstreams are allowed", upstream);
                return Optional.empty();
            }
            if (uri.getRawAuthority() == null) {
                LOG.infof("not following %s: no host", upstream);
                return Optional.empty();
            }
            String scheme = secure ? "wss" : "ws";
            return Optional.of(URI.create(scheme + "://" + uri.getRawAuthority()));
        } catch (IllegalArgumentException e) {
            LOG.infof("not following %s: %s", upstream, e.getMessage());
            return Optional.empty();
        }
    }
}
