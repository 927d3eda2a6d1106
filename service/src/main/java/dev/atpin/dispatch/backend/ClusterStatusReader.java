package dev.atpin.dispatch.backend;

import com.fasterxml.jackson.databind.JsonNode;
import dev.atpin.ipfscluster.IpfsClusterClient;
import dev.atpin.ipfscluster.IpfsClusterException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import org.jboss.logging.Logger;

/**
 * One reader of the cluster's pin statuses for every pin this replica waits on: each round asks for all the CIDs
 * that are due in one streamed {@code GET /pins?cids=a,b,...} (the cluster looks them up in parallel) and hands each
 * status to the worker waiting for it. Workers block on their {@link Watch} instead of each sleeping and polling.
 *
 * <p>A CID is first read {@code first} after it was pinned and again {@code first} after each change of its
 * statuses; while nothing changes the delay doubles up to {@code most}. A small DAG thus is seen pinned within tens
 * of milliseconds, while a large one that fetches for hours costs one CID in a batch every {@code most}.
 */
final class ClusterStatusReader {

    private static final Logger LOG = Logger.getLogger(ClusterStatusReader.class);
    /** CIDs per request: ~60 characters each keeps the URL far below any proxy's limit. */
    static final int MAX_CIDS_PER_READ = 64;

    private final IpfsClusterClient cluster;
    private final long firstNanos;
    private final long mostNanos;
    private final Set<Watch> watches = ConcurrentHashMap.newKeySet();
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private Thread reader;

    ClusterStatusReader(IpfsClusterClient cluster, Duration first, Duration most) {
        this.cluster = cluster;
        this.firstNanos = Math.max(1, first.toNanos());
        this.mostNanos = Math.max(firstNanos, most.toNanos());
    }

    /** Starts reading the status of {@code cid} (just pinned); close the watch when done waiting. */
    Watch watch(String cid) {
        Watch w = new Watch(cid, System.nanoTime() + firstNanos);
        watches.add(w);
        lock.lock();
        try {
            if (reader == null) {
                reader = Thread.ofVirtual().name("ipfs-cluster-status-reader").start(this::run);
            }
            changed.signal();
        } finally {
            lock.unlock();
        }
        return w;
    }

    /** How many pins are being waited on (tests). */
    int watching() {
        return watches.size();
    }

    private void run() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                List<Watch> due = awaitDue();
                for (int i = 0; i < due.size(); i += MAX_CIDS_PER_READ) {
                    read(due.subList(i, Math.min(due.size(), i + MAX_CIDS_PER_READ)));
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                // Never let the one reader die: the waiting workers would all run into their no-progress timeout.
                LOG.warn("reading IPFS Cluster pin statuses failed", e);
            }
        }
    }

    /**
     * Once the earliest watch is due: it and every watch due within half the first delay (read together rather than
     * in a request each). Blocks while none is due.
     */
    private List<Watch> awaitDue() throws InterruptedException {
        lock.lock();
        try {
            while (true) {
                long now = System.nanoTime();
                long earliest = Long.MAX_VALUE;
                for (Watch w : watches) {
                    earliest = Math.min(earliest, w.dueAt - now);
                }
                if (watches.isEmpty()) {
                    changed.await();
                } else if (earliest > 0) {
                    changed.awaitNanos(earliest);
                } else {
                    List<Watch> due = new ArrayList<>();
                    for (Watch w : watches) {
                        if (w.dueAt - now <= firstNanos / 2) {
                            due.add(w);
                        }
                    }
                    return due;
                }
            }
        } finally {
            lock.unlock();
        }
    }

    private void read(List<Watch> batch) {
        Map<String, List<Watch>> byCid = new LinkedHashMap<>();
        for (Watch w : batch) {
            byCid.computeIfAbsent(w.cid, c -> new ArrayList<>()).add(w);
        }
        Map<String, JsonNode> statuses = new HashMap<>();
        try {
            cluster.statuses(List.copyOf(byCid.keySet()), status -> statuses.put(status.path("cid").asText(), status));
        } catch (IpfsClusterException e) {
            for (Watch w : batch) {
                w.deliver(new Result(null, e));
                w.reschedule(mostNanos);
            }
            return;
        }
        long now = System.nanoTime();
        byCid.forEach((cid, waiting) -> {
            JsonNode status = statuses.get(cid);
            for (Watch w : waiting) {
                if (status == null) {
                    // Not in the answer (its lookup failed on the cluster's side): try again later; the worker's
                    // no-progress timeout ends a wait that never gets an answer.
                    w.dueAt = now + mostNanos;
                    continue;
                }
                String summary = IpfsClusterBackend.PeerStatuses.of(status).summary();
                w.delayNanos = summary.equals(w.lastSummary) ? Math.min(mostNanos, w.delayNanos * 2) : firstNanos;
                w.lastSummary = summary;
                w.dueAt = now + w.delayNanos;
                w.deliver(new Result(status, null));
            }
        });
    }

    /** A status read for a watch: the pin's {@code GlobalPinInfo}, or why it could not be read. */
    record Result(JsonNode status, IpfsClusterException failure) {}

    /** A worker's wait for one CID's statuses. */
    final class Watch implements AutoCloseable {
        private final String cid;
        private final LinkedBlockingQueue<Result> results = new LinkedBlockingQueue<>();
        private volatile long dueAt;
        private volatile long delayNanos = firstNanos;
        private String lastSummary = ""; // the reader's alone

        private Watch(String cid, long dueAt) {
            this.cid = cid;
            this.dueAt = dueAt;
        }

        /**
         * The next status read, waiting up to {@code timeout}; empty when none arrived in that time.
         *
         * @throws IpfsClusterException when the cluster could not be asked
         */
        java.util.Optional<JsonNode> next(Duration timeout) throws IpfsClusterException, InterruptedException {
            Result r = results.poll(timeout.toNanos(), TimeUnit.NANOSECONDS);
            if (r == null) {
                return java.util.Optional.empty();
            }
            if (r.failure() != null) {
                throw r.failure();
            }
            return java.util.Optional.of(r.status());
        }

        /** Read again soon (after a {@code recover}), not after the backed-off delay. */
        void soon() {
            delayNanos = firstNanos;
            dueAt = System.nanoTime() + firstNanos;
            lock.lock();
            try {
                changed.signal();
            } finally {
                lock.unlock();
            }
        }

        private void deliver(Result r) {
            results.offer(r);
        }

        private void reschedule(long inNanos) {
            dueAt = System.nanoTime() + inNanos;
        }

        @Override
        public void close() {
            watches.remove(this);
        }
    }
}
