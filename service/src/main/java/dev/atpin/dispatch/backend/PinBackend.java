package dev.atpin.dispatch.backend;

import dev.atpin.kubo.KuboClient;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.ObjIntConsumer;
import java.util.function.LongConsumer;

/**
 * Where a placement's copy is made: the one seam between our queue (Postgres: placements, leases, healer,
 * reconciler) and the daemons that hold the data. A <em>target</em> is what a placement row names
 * ({@code placement.node}): for Kubo-direct each configured Kubo node, for IPFS Cluster the whole cluster.
 * Exactly one backend is active, chosen by {@code atpin.dispatch.backend} ({@link PinBackendProducer}).
 *
 * <p>Contract, for every implementation:
 *
 * <ul>
 *   <li>Every call may block on the network and is made with <em>no</em> Postgres transaction open; callers
 *       hold at most a lease. Implementations are thread-safe (64 workers call at once).
 *   <li>Failures are {@link PinBackendException}s (unreachable, refused, no progress), never HTTP details
 *       leaking to callers; a failed call may be retried as is (all calls are idempotent).
 *   <li>Only pins the service made are ever removed or listed: a pin is ours when its name starts with
 *       {@code atpin.dispatch.pin-name-prefix} (and, on IPFS Cluster, carries the {@code atpin} metadata).
 * </ul>
 */
public interface PinBackend {

    /** The name that selects this backend in {@code atpin.dispatch.backend}. */
    String name();

    /**
     * Whether a target keeps several copies itself (IPFS Cluster: R peers per pin), so that one placement row stands
     * for {@link #holders several copies}: the row records the peers holding it ({@code placement.copy_peers}, which
     * {@code info.replicas_pinned} counts) and the replication the target was asked for
     * ({@code placement.replication_asked}, which the healer keeps equal to the content's R through
     * {@link #updateReplication}). False (Kubo-direct): each placement row is one copy and our healer adds and
     * releases rows itself.
     */
    default boolean replicatesItself() {
        return false;
    }

    /**
     * The targets placements may name, in a stable order. They change only in {@link #refreshTargets}; callers
     * that iterate take one snapshot.
     */
    List<String> targets();

    /**
     * Brings {@link #targets} in step with what operators registered since the last call (Kubo-direct: the nodes of
     * the {@code registered_node} table next to the configured ones); called by the health poll of every replica
     * before it probes, and at once on the replica that took a registration. Backends whose targets come from
     * configuration alone do nothing. Never throws: when the registrations cannot be read, the targets stay as they
     * were.
     */
    default void refreshTargets() {}

    /** Where the target is reached, for operators ({@code node.rpc_url}); never carries a secret. */
    String address(String target);

    /**
     * One health poll: who the target is, how much room it has and which multiaddrs clients should dial
     * (the pins' {@code delegates}).
     *
     * @throws PinBackendException when the target does not answer (the registry then counts toward down)
     */
    TargetProbe probe(String target) throws PinBackendException;

    /**
     * The Kubo RPC through which {@code target} fetches content: origins and nodes holding a copy are dialled
     * from it, DAGs are measured on it against quotas ({@code dag/stat}) and backups are imported into it, all
     * before {@link #pin}. Kubo-direct: the node itself; IPFS Cluster: the Kubo of the peer we talk to.
     */
    KuboClient fetcher(String target);

    /**
     * Pins {@code cid} on {@code target} and returns once it is pinned there ({@code replication} copies on
     * IPFS Cluster, where R is the cluster's job; one on a Kubo node).
     *
     * @param name the pin name, our prefix first
     * @param replication copies the content wants (used by backends that replicate themselves)
     * @param origins multiaddrs already vetted by the address policy, for backends that dial them themselves
     * @param progress called as the pin advances (blocks fetched, copies pinned): the caller renews its lease
     * @return for a backend that {@link #replicatesItself}, the peers that report the content pinned when it
     *     returned (as {@link #holders} names them); empty from the others
     * @throws PinBackendException on failure, or when nothing advanced for {@code atpin.dispatch.no-progress-timeout}
     */
    List<String> pin(String target, String cid, String name, int replication, List<String> origins,
            LongConsumer progress) throws PinBackendException;

    /**
     * For each of {@code cids} that {@code target} could look up, the peers that report it pinned now (IPFS Cluster:
     * the cluster peer IDs of its {@code peer_map} with status {@code pinned}, one {@code GET /pins?cids=} per 64
     * CIDs): how the healer keeps {@code placement.copy_peers} true after a change of replication or a lost peer. A
     * CID missing from the answer could not be looked up; the caller reads it again later. Backends that do not
     * {@link #replicatesItself replicate themselves} answer an empty map without a call.
     */
    default Map<String, List<String>> holders(String target, List<String> cids) throws PinBackendException {
        return Map.of();
    }

    /**
     * Removes our pin of {@code cid} from {@code target}; a pin we did not make (another name, no metadata) and
     * a missing pin are left as they are, and both count as done.
     */
    void unpinOurs(String target, String cid) throws PinBackendException;

    /**
     * Streams the CIDs of our pins on {@code target} to {@code each} as the daemon lists them, never holding the
     * whole pinset (reconciliation). A {@link RuntimeException} thrown by {@code each} ends the stream and
     * propagates.
     */
    void streamOurPins(String target, Consumer<String> each) throws PinBackendException;

    /**
     * {@link #streamOurPins} with the copies {@code target} was asked to keep of each pin, for backends that replicate
     * themselves (IPFS Cluster: the pin's replication factor); 0 from the others, whose copies our placements count.
     */
    default void streamOurPinsWithReplication(String target, ObjIntConsumer<String> each) throws PinBackendException {
        streamOurPins(target, cid -> each.accept(cid, 0));
    }

    /**
     * Asks {@code target} to keep {@code replication} copies of our pin of {@code cid} from now on (IPFS Cluster: the
     * pin updated with the new replication factors, the cluster allocates or releases copies): how a change of a
     * content's R reaches a backend that replicates itself. Returns once the target accepted it, not once the copies
     * are made ({@link #holders} tells that later). A pin that is missing or not ours is left alone, and a pin that
     * already has these factors costs one read; backends whose copies our placements count do nothing.
     *
     * <p>Called by the healer's round for the placements whose {@code replication_asked} differs from the content's R
     * (bounded per round, no transaction open), which then records the new value; the reconciler records what the
     * target really keeps ({@link #streamOurPinsWithReplication}), so a change the target lost is asked for again.
     */
    default void updateReplication(String target, String cid, int replication) throws PinBackendException {}

    /**
     * Asks the target to retry what it failed on its own (IPFS Cluster: {@code recover} of pins in an error
     * status); called once per reconciliation round. Backends whose failures our queue retries do nothing.
     *
     * @return how many pins were sent back to work
     */
    int recoverFailed(String target) throws PinBackendException;
}
