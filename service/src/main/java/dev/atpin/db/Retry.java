package dev.atpin.db;

import java.sql.SQLException;
import java.util.concurrent.Callable;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Retries a whole transaction that PostgreSQL aborted because of a deadlock or a serialization
 * failure: such a conflict says nothing about the request, and running it again succeeds.
 */
public final class Retry {

    private static final int ATTEMPTS = 4;

    private Retry() {}

    public static <T> T onConflict(Callable<T> transaction) throws Exception {
        for (int attempt = 1; ; attempt++) {
            try {
                return transaction.call();
            } catch (Exception e) {
                if (attempt >= ATTEMPTS || !isConflict(e)) {
                    throw e;
                }
                Thread.sleep(ThreadLocalRandom.current().nextLong(5, 20L * attempt));
            }
        }
    }

    static boolean isConflict(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql && ("40P01".equals(sql.getSQLState()) || "40001".equals(sql.getSQLState()))) {
                return true;
            }
        }
        return false;
    }
}
