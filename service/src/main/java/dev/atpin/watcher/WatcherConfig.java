package dev.atpin.watcher;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.net.URI;
import java.time.Duration;
import java.util.Optional;

/** The repo watcher ({@code atpin.watcher.*}): pins follow the pin records in users' atproto repos. */
@ConfigMapping(prefix = "atpin.watcher")
public interface WatcherConfig {

    /** Run the watcher on this replica (firehose consumption is still elected: one replica per upstream). */
    @WithDefault("true")
    boolean enabled();

    /**
     * The firehose to follow: a relay's base URL (e.g. {@code wss://bsky.network}). Empty: follow
     * each enrolled user's own PDS.
     */
    Optional<URI> relay();

    /** NSID of pin records; their rkey is the CIDv1 (base32) of the pinned content. */
    @WithDefault("dev.atpin.pin")
    String pinCollection();

    /** NSID of the enrollment record (rkey {@code self}) that names our service DID: the user's consent. */
    @WithDefault("dev.atpin.enrollment")
    String enrollmentCollection();

    /** How often the firehose cursor is saved (and at shutdown); replays after a crash are harmless. */
    @WithDefault("5s")
    Duration cursorSaveInterval();

    /** First delay before retrying a failed resync; doubled per attempt up to {@link #resyncMaxBackoff()}. */
    @WithDefault("1m")
    Duration resyncBackoff();

    @WithDefault("1h")
    Duration resyncMaxBackoff();

    /** How long a replica may work on one resync before another may take it over. */
    @WithDefault("5m")
    Duration resyncLease();

    /** Largest repo CAR fetched for a backfill or resync. */
    @WithDefault("104857600")
    int maxRepoBytes();

    /**
     * Time allowed for downloading one whole repo ({@code getRepo}), separate from the identity client's
     * deadline for small documents: a large repo on a slow PDS must still be able to resync.
     */
    @WithDefault("5m")
    Duration repoFetchTimeout();

    /** Most live events buffered for one repo while it resyncs; past that the resync is followed by another. */
    @WithDefault("10000")
    int maxBufferedEvents();

    /** Most bytes of events buffered for one repo while it resyncs. */
    @WithDefault("67108864")
    long maxBufferedBytes();

    /** Most repos watched at once (enrollment beyond it is refused with 503 WATCHER_AT_CAPACITY). */
    @WithDefault("10000")
    int maxRepos();

    /**
     * Most distinct upstreams (PDS hosts) followed at once; an enrollment that would add one more is refused
     * with 503 WATCHER_AT_CAPACITY. Not used with a relay.
     */
    @WithDefault("1000")
    int maxUpstreams();

    /** (Re-)enrollments one account may make per {@link #enrollmentWindow()}: each starts a full repo download. */
    @WithDefault("10")
    int enrollmentsPerWindow();

    @WithDefault("1h")
    Duration enrollmentWindow();

    /** After an account is deleted, its record pins are released once this has passed. */
    @WithDefault("24h")
    Duration deletedAccountGrace();

    /** Delay before reconnecting to a firehose that dropped. */
    @WithDefault("2s")
    Duration reconnectDelay();

    /**
     * A firehose connection on which nothing (frame or pong to our pings, sent every third of this) arrived for this
     * long is taken for dead, dropped and opened again from the cursor: a dead peer or a connection cut
     * mid-frame is not always reported by the socket.
     */
    @WithDefault("30s")
    Duration idleTimeout();

    /** How often the supervisor checks which upstreams to follow and who leads them. */
    @WithDefault("2s")
    Duration superviseInterval();
}
