package dev.atpin.watcher;

import io.quarkus.scheduler.Scheduled;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.transaction.Transactional;
import java.sql.SQLException;
import java.time.Instant;
import org.jboss.logging.Logger;

/** Releases the record pins of deleted accounts once their grace period is over. */
@ApplicationScoped
public class DeletedAccounts {

    private static final Logger LOG = Logger.getLogger(DeletedAccounts.class);

    private final WatchedRepos repos;
    private final RecordPins records;
    private final WatcherConfig config;

    DeletedAccounts(WatchedRepos repos, RecordPins records, WatcherConfig config) {
        this.repos = repos;
        this.records = records;
        this.config = config;
    }

    @Scheduled(every = "10s", delayed = "5s", concurrentExecution = Scheduled.ConcurrentExecution.SKIP)
    void releaseExpired() {
        try {
            for (String did : repos.deletedBefore(Instant.now().minus(config.deletedAccountGrace()))) {
                release(did);
            }
        } catch (SQLException e) {
            LOG.warn("could not release the pins of deleted accounts", e);
        }
    }

    @Transactional(rollbackOn = Exception.class)
    void release(String did) throws SQLException {
        records.removeAll(did);
        repos.setState(did, RepoState.UNENROLLED, "the account was deleted");
    }
}
