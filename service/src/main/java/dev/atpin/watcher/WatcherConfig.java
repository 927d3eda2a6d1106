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

    /** After an account is deleted, its record pins are released once this has passed. */
    @WithDefault("24h")
    Duration deletedAccountGrace();

    /** Delay before reconnecting to a firehose that dropped. */
    @WithDefault("2s")
    Duration reconnectDelay();

    /** How often the supervisor checks which upstreams to follow and who leads them. */
    @WithDefault("2s")
    Duration superviseInterval();
}
