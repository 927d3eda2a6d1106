package dev.atpin.dispatch;

import dev.atpin.db.Jdbc;
import dev.atpin.dispatch.backend.PinBackend;
import dev.atpin.dispatch.backend.PinBackendException;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import org.jboss.logging.Logger;

/**
 * Releases content nobody wants any more, after the grace period, and the copies the {@link Healer} found
 * surplus; only pins the service itself made are removed ({@link PinBackend#unpinOurs}: Kubo pin names with our
 * prefix): a pin an operator made by hand never is. No row lock is held across a Kubo call.
 */
@ApplicationScoped
public class Unpinner {

    private static final Logger LOG = Logger.getLogger(Unpinner.class);
    private static final int BATCH = 20;

    private final AgroalDataSource db;
    private final PinBackend backend;
    private final DispatchConfig config;
    private final String owner;

    Unpinner(AgroalDataSource db, PinBackend backend, DispatchConfig config) {
        this.db = db;
        this.backend = backend;
        this.config = config;
        this.owner = config.instanceId().orElseGet(Dispatcher::hostname) + "/unpinner";
    }

    @Scheduled(every = "${atpin.dispatch.unpin-interval:5s}", delayed = "2s",
            concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void run() {
        try {
            releaseSettledReplacements();
            unpinReleased();
        } catch (SQLException e) {
            LOG.warn("unpin round failed", e);
        }
    }

    /** Replaced requests keep their old content until the new request has settled. */
    void releaseSettledReplacements() throws SQLException {
        Jdbc.inTransaction(db, c -> {
            List<String> settledCids = new ArrayList<>();
            try (PreparedStatement settled = c.prepareStatement("""
                    delete from deferred_release d
                    where not exists (select 1 from pin_request r
                                      where r.id = d.waiting_for and r.status in ('queued', 'pinning'))
                    returning d.cid""");
                    ResultSet rs = settled.executeQuery()) {
                while (rs.next()) {
                    settledCids.add(rs.getString(1));
                }
            }
            for (String cid : settledCids) {
                ContentLedger.release(c, cid);
            }
            return null;
        });
    }

    /**
     * Content nobody wants past its grace period: every placement becomes {@code unpinning} (one short
     * transaction), then {@link #unpinClaimed()} removes the pins under a lease, outside any transaction.
     */
    void unpinReleased() throws SQLException {
        Jdbc.inTransaction(db, c -> {
            for (String cid : claimReleased(c)) {
                try (PreparedStatement mark = c.prepareStatement("""
                        update placement set state = 'unpinning', lease_owner = null, lease_expires_at = null,
                               next_attempt_at = now(), updated_at = now()
                        where cid = ? and state <> 'unpinning'""")) {
                    mark.setString(1, cid);
                    mark.executeUpdate();
                }
                forgetIfUnplaced(c, cid);
            }
            return null;
        });
        unpinClaimed();
    }

    /** A placement being released, claimed by this replica's unpinner. */
    private record Release(String cid, String node, String nodeState) {}

    /**
     * Removes our pin for each {@code unpinning} placement (released content, a surplus copy, a copy on a
     * draining node): claimed under a lease in one short transaction, the Kubo calls with no transaction open,
     * then the row deleted in another. A copy on a down node is only forgotten: the reconciler removes our pin,
     * which no placement explains any more, when the node returns.
     */
    void unpinClaimed() throws SQLException {
        List<Release> claimed = Jdbc.inTransaction(db, c -> {
            List<Release> out = new ArrayList<>();
            try (PreparedStatement q = c.prepareStatement("""
                    update placement p set lease_owner = ?, lease_expires_at = now() + make_interval(secs => ?)
                    from (select x.cid, x.node, n.state from placement x join node n on n.name = x.node
                          where x.state = 'unpinning' and x.next_attempt_at <= now()
                            and (x.lease_expires_at is null or x.lease_expires_at < now())
                          order by x.next_attempt_at limit ? for update of x skip locked) due
                    where p.cid = due.cid and p.node = due.node
                    returning p.cid, p.node, due.state""")) {
                q.setString(1, owner);
                q.setDouble(2, config.lease().toMillis() / 1000.0);
                q.setInt(3, BATCH);
                try (ResultSet rs = q.executeQuery()) {
                    while (rs.next()) {
                        out.add(new Release(rs.getString(1), rs.getString(2), rs.getString(3)));
                    }
                }
            }
            return out;
        });
        for (Release release : claimed) {
            if (backend.targets().contains(release.node()) && !release.nodeState().equals(NodeState.DOWN.db())) {
                try {
                    backend.unpinOurs(release.node(), release.cid());
                    LOG.debugf("unpinned %s from %s", release.cid(), release.node());
                } catch (PinBackendException e) {
                    LOG.infof("could not unpin %s from %s yet: %s", release.cid(), release.node(), e.getMessage());
                    retryLater(release, e.getMessage());
                    continue;
                }
            }
            Jdbc.inTransaction(db, c -> {
                try (PreparedStatement gone = c.prepareStatement(
                        "delete from placement where cid = ? and node = ? and lease_owner = ? and state = 'unpinning'")) {
                    gone.setString(1, release.cid());
                    gone.setString(2, release.node());
                    gone.setString(3, owner);
                    gone.executeUpdate();
                }
                forgetIfUnplaced(c, release.cid());
                ContentLedger.propagate(c, release.cid());
                return null;
            });
        }
    }

    private void retryLater(Release release, String error) throws SQLException {
        try (Connection c = db.getConnection();
                PreparedStatement q = c.prepareStatement("""
                        update placement set lease_owner = null, lease_expires_at = null, last_error = ?,
                               next_attempt_at = now() + make_interval(secs => ?)
                        where cid = ? and node = ? and lease_owner = ?""")) {
            q.setString(1, error.length() > 500 ? error.substring(0, 500) : error);
            q.setDouble(2, config.initialBackoff().toMillis() / 1000.0);
            q.setString(3, release.cid());
            q.setString(4, release.node());
            q.setString(5, owner);
            q.executeUpdate();
        }
    }

    /** Released content with no placement left goes (see {@link #forget}); wanted content stays. */
    private static void forgetIfUnplaced(Connection c, String cid) throws SQLException {
        try (PreparedStatement q = c.prepareStatement("""
                select 1 from content ct where ct.cid = ? and ct.refcount = 0
                  and not exists (select 1 from placement p where p.cid = ct.cid) for update""")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                if (!rs.next()) {
                    return;
                }
            }
        }
        forget(c, cid);
    }

    /**
     * The content is unpinned everywhere. Its row goes too, unless requests that failed on their
     * quota still name it (they hold no reference): then only its placements go.
     */
    private static void forget(java.sql.Connection c, String cid) throws SQLException {
        try (PreparedStatement gone = c.prepareStatement("""
                delete from content where cid = ? and refcount = 0
                  and not exists (select 1 from pin_request where cid = ?)""")) {
            gone.setString(1, cid);
            gone.setString(2, cid);
            if (gone.executeUpdate() > 0) {
                return;
            }
        }
        try (PreparedStatement keep = c.prepareStatement("""
                with dropped as (delete from placement where cid = ?)
                update content set released_at = null, status = 'queued' where cid = ? and refcount = 0""")) {
            keep.setString(1, cid);
            keep.setString(2, cid);
            keep.executeUpdate();
        }
    }

    /** Locks released content past its grace period; a concurrent new request waits for us. */
    private List<String> claimReleased(Connection c) throws SQLException {
        List<String> cids = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("""
                select cid from content
                where refcount = 0 and released_at < now() - make_interval(secs => ?)
                  and not exists (select 1 from placement p where p.cid = content.cid
                                  and p.state = 'pinning' and p.lease_expires_at > now())
                  and not exists (select 1 from deferred_release d where d.cid = content.cid)
                order by released_at
                limit ?
                for update skip locked""")) {
            q.setDouble(1, config.unpinGrace().toMillis() / 1000.0);
            q.setInt(2, BATCH);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    cids.add(rs.getString(1));
                }
            }
        }
        return cids;
    }
}
