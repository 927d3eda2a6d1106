package dev.atpin.dispatch;

import io.smallrye.config.ConfigMapping;
import io.smallrye.config.WithDefault;
import java.time.Duration;

/** The durable pin queue and its workers ({@code atpin.dispatch.*}). */
@ConfigMapping(prefix = "atpin.dispatch")
public interface DispatchConfig {

    /** Run pin workers on this replica (off for one-shot commands such as the operator CLI). */
    @WithDefault("true")
    boolean enabled();

    /**
     * Where copies are made: {@code kubo} (our placements on the {@code atpin.kubo.nodes}) or {@code ipfs-cluster}
     * (one IPFS Cluster, {@code atpin.ipfs-cluster.*}, which replicates itself). An unknown name stops the start.
     */
    @WithDefault("kubo")
    String backend();

    /**
     * Pin operations one service replica runs at once (virtual threads: most of them just wait for
     * Kubo to find blocks).
     */
    @WithDefault("64")
    int workers();

    /**
     * How often one idle worker looks for work that became due without a commit (a retry after its backoff, an
     * expired lease, a node answering again); it wakes the next when it finds some. New work wakes workers at once.
     */
    @WithDefault("1s")
    Duration pollInterval();

    /**
     * Pins in flight on one node at once, over all replicas (a claim skips a node at this limit), so that a
     * slow node cannot hold every worker while others idle.
     */
    @WithDefault("32")
    int nodeConcurrency();

    /** How often the healer looks for contents with too few or too many copies. */
    @WithDefault("5s")
    Duration healInterval();

    /** Copies of each content the cluster keeps (capped by the number of healthy nodes). */
    @WithDefault("1")
    int replication();

    /**
     * A pin is abandoned (and retried later) when Kubo reports no progress for this long. This is
     * not a total timeout: a large DAG may take hours as long as blocks keep arriving.
     */
    @WithDefault("2m")
    Duration noProgressTimeout();

    /** A claimed row whose worker stopped renewing its lease for this long is taken over. */
    @WithDefault("30s")
    Duration lease();

    /** First retry delay; doubled per attempt up to {@link #maxBackoff()}. */
    @WithDefault("15s")
    Duration initialBackoff();

    @WithDefault("1h")
    Duration maxBackoff();

    /** Attempts before a placement is marked failed (the request then reports {@code failed}). */
    @WithDefault("12")
    int maxAttempts();

    /** Content nobody wants any more is unpinned after this grace period. */
    @WithDefault("10m")
    Duration unpinGrace();

    /** Dial origins that resolve to private/loopback addresses (only for local runs and tests). */
    @WithDefault("false")
    boolean dialPrivateOrigins();

    /** How long to try connecting to each origin before pinning. */
    @WithDefault("5s")
    Duration originDialTimeout();

    /** Prefix of the Kubo pin names the service creates; only such pins are ever unpinned. */
    @WithDefault("atpin:")
    String pinNamePrefix();

    /** How often released content past its grace period is looked for. */
    @WithDefault("5s")
    Duration unpinInterval();

    /**
     * Name of this replica as the owner of leases. Defaults to the host name, so that after a
     * restart the replica resumes its own in-flight pins at once instead of after their lease.
     */
    java.util.Optional<String> instanceId();

    /** The first reconciliation after start waits this long (let the nodes and the queue settle first). */
    @WithDefault("30s")
    Duration reconcileDelay();

    /** How often each node's real pins are compared with what Postgres says it holds. */
    @WithDefault("5m")
    Duration reconcileInterval();

    /** How often the node health of every configured Kubo node is refreshed. */
    @WithDefault("10s")
    Duration healthInterval();

    /**
     * A node that has not answered a health poll for this long is {@code down}: its contents are placed
     * on other nodes until every content has its replication again. Shorter windows heal faster but
     * move data for a node that only restarted.
     */
    @WithDefault("1m")
    Duration downAfter();
}
