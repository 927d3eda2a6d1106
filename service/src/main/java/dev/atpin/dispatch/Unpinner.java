package dev.atpin.dispatch;

import dev.atpin.kubo.KuboClient;
import dev.atpin.kubo.KuboException;
import dev.atpin.kubo.KuboNodes;
import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * Releases content nobody wants any more, after the grace period, and only pins the service
 * itself made (Kubo pin names with our prefix): a pin an operator made by hand is never removed.
 */
@ApplicationScoped
public class Unpinner {

    private static final Logger LOG = Logger.getLogger(Unpinner.class);
    private static final int BATCH = 20;

    private final AgroalDataSource db;
    private final KuboNodes nodes;
    private final DispatchConfig config;

    Unpinner(AgroalDataSource db, KuboNodes nodes, DispatchConfig config) {
        this.db = db;
        this.nodes = nodes;
        this.config = config;
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

    void unpinReleased() throws SQLException {
        Jdbc.inTransaction(db, c -> {
            for (String cid : claimReleased(c)) {
                if (unpinEverywhere(c, cid)) {
                    forget(c, cid);
                }
            }
            return null;
        });
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

    private boolean unpinEverywhere(Connection c, String cid) throws SQLException {
        List<String> placedOn = new ArrayList<>();
        try (PreparedStatement q = c.prepareStatement("select node from placement where cid = ?")) {
            q.setString(1, cid);
            try (ResultSet rs = q.executeQuery()) {
                while (rs.next()) {
                    placedOn.add(rs.getString(1));
                }
            }
        }
        for (String name : placedOn) {
            Optional<KuboClient> node = nodes.byName(name);
            if (node.isEmpty()) {
                continue;
            }
            try {
                Optional<String> pinName = node.get().pinName(cid);
                if (pinName.isPresent() && pinName.get().startsWith(config.pinNamePrefix())) {
                    node.get().pinRm(cid);
                    LOG.debugf("unpinned %s from %s", cid, name);
                }
            } catch (KuboException e) {
                LOG.infof("could not unpin %s from %s yet: %s", cid, name, e.getMessage());
                return false;
            }
        }
        return true;
    }
}
