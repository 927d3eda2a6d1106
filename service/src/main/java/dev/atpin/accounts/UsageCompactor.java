package dev.atpin.accounts;

import dev.atpin.db.Jdbc;
import io.agroal.api.AgroalDataSource;
import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import org.jboss.logging.Logger;

/**
 * Folds the per-status usage deltas (written by every status change, lock-free) into the base
 * counts. Counts are exact at any time (base + pending deltas); folding only keeps reads short.
 */
@ApplicationScoped
public class UsageCompactor {

    private static final Logger LOG = Logger.getLogger(UsageCompactor.class);
    /** Only one replica folds at a time; the others skip the round. */
    private static final long ADVISORY_LOCK = 0x61747069_6e000001L;

    private final AgroalDataSource db;

    UsageCompactor(AgroalDataSource db) {
        this.db = db;
    }

    @Scheduled(every = "2s", delayed = "2s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void fold() {
        try {
            Jdbc.inTransaction(db, c -> {
                try (PreparedStatement lock = c.prepareStatement("select pg_try_advisory_xact_lock(?)")) {
                    lock.setLong(1, ADVISORY_LOCK);
                    try (ResultSet rs = lock.executeQuery()) {
                        rs.next();
                        if (!rs.getBoolean(1)) {
                            return null;
                        }
                    }
                }
                try (PreparedStatement fold = c.prepareStatement("""
                        with moved as (delete from pin_status_delta returning did, status, pins, bytes)
                        insert into pin_status_count (did, status, pins, bytes)
                        select did, status, sum(pins), sum(bytes) from moved group by did, status
                        on conflict (did, status) do update
                            set pins = pin_status_count.pins + excluded.pins,
                                bytes = pin_status_count.bytes + excluded.bytes""")) {
                    fold.executeUpdate();
                }
                return null;
            });
        } catch (SQLException e) {
            LOG.warn("could not fold usage deltas", e);
        }
    }
}
