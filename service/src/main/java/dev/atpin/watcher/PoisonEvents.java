package dev.atpin.watcher;

import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.micrometer.core.instrument.MeterRegistry;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Firehose events that fail to apply. A replay cannot fix a malformed event (or one that trips a bug), and
 * replaying it forever would stall the upstream for every repo behind it: such an event is quarantined for its
 * repo with the reason, the repo is resynced (the resync brings in whatever the event meant), and the stream
 * goes on. Failures of the database itself are different: the event is fine, so it is replayed later.
 */
@ApplicationScoped
public class PoisonEvents {

    private static final Logger LOG = Logger.getLogger(PoisonEvents.class);
    /** Quarantined events kept per repo (the newest): enough to diagnose, bounded against a flood. */
    static final int KEPT_PER_REPO = 20;

    private final AgroalDataSource db;
    private final MeterRegistry metrics;

    PoisonEvents(AgroalDataSource db, MeterRegistry metrics) {
        this.db = db;
        this.metrics = metrics;
    }

    /**
     * Whether a failure says something about the event (quarantine it) rather than about the database
     * (replay it later): anything but an SQL failure, or an SQL failure about the data itself (classes 22 and
     * 23: a value out of range, a constraint the event's content violates).
     */
    static boolean isPoison(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                String state = sql.getSQLState();
                return state != null && (state.startsWith("22") || state.startsWith("23"));
            }
        }
        return true;
    }

    /** Sets the event aside for {@code did}, and has the repo resynced. Runs in a transaction of its own. */
    public void quarantine(String did, String upstream, long seq, byte[] frame, Throwable failure) throws SQLException {
        String reason = describe(failure);
        Jdbc.inTransaction(db, c -> {
            try (PreparedStatement q = c.prepareStatement("""
                    insert into quarantined_event (did, seq, upstream, reason, frame)
                    select ?, ?, ?, ?, ? where exists (select 1 from watched_repo where did = ?)
                    on conflict (did, seq) do update set reason = excluded.reason, quarantined_at = now()""")) {
                q.setString(1, did);
                q.setLong(2, seq);
                q.setString(3, upstream);
                q.setString(4, reason);
                q.setBytes(5, frame);
                q.setString(6, did);
                q.executeUpdate();
            }
            try (PreparedStatement trim = c.prepareStatement("""
                    delete from quarantined_event where did = ? and seq not in
                        (select seq from quarantined_event where did = ? order by seq desc limit ?)""")) {
                trim.setString(1, did);
                trim.setString(2, did);
                trim.setInt(3, KEPT_PER_REPO);
                trim.executeUpdate();
            }
            try (PreparedStatement resync = c.prepareStatement("""
                    update watched_repo set state = 'desynchronized', last_error = ?, retry_after = now(),
                        updated_at = now()
                    where did = ? and state in ('active', 'desynchronized')""")) {
                resync.setString(1, truncate("event seq " + seq + " could not be applied and was quarantined: "
                        + reason));
                resync.setString(2, did);
                resync.executeUpdate();
            }
            return null;
        });
        metrics.counter("atpin.watcher.events.quarantined").increment();
        LOG.warnf("firehose %s: event seq %d of %s quarantined: %s", upstream, seq, did, reason);
    }

    private static String describe(Throwable failure) {
        String message = failure.getMessage();
        String text = message == null || message.isBlank() ? failure.getClass().getSimpleName() : message;
        return truncate(text);
    }

    private static String truncate(String s) {
        return s.length() <= 500 ? s : s.substring(0, 500);
    }
}
