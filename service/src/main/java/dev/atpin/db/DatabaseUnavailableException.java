package dev.atpin.db;

import java.sql.SQLException;
import java.util.Optional;

/**
 * PostgreSQL cannot be reached (stopped, restarting, failed over, or the pool cannot get a connection
 * in time). Nothing about the request is wrong and nothing was committed: the client should send it
 * again after {@link #RETRY_AFTER_SECONDS}. The API maps it to 503 with {@code Retry-After}.
 */
public class DatabaseUnavailableException extends RuntimeException {

    /** Long enough for a restart or a fail-over to finish, short enough for a client to keep going. */
    public static final int RETRY_AFTER_SECONDS = 5;

    public DatabaseUnavailableException(Throwable cause) {
        super("the database is unavailable", cause, false, false);
    }

    /**
     * The outage behind {@code e}, if it is one: a JDBC connection failure (SQLState class 08), the
     * server shutting down or starting up (57P01..57P03), or the pool timing out on a connection.
     * Anything else (a constraint, a bug) is not an outage and must stay a 500 or a 4xx.
     */
    public static Optional<DatabaseUnavailableException> causedBy(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause() == t ? null : t.getCause()) {
            if (t instanceof DatabaseUnavailableException outage) {
                return Optional.of(outage);
            }
            if (t instanceof SQLException sql && isOutage(sql)) {
                return Optional.of(new DatabaseUnavailableException(e));
            }
        }
        return Optional.empty();
    }

    private static boolean isOutage(SQLException sql) {
        String state = sql.getSQLState();
        if (state != null && (state.startsWith("08") || state.equals("57P01") || state.equals("57P02") || state.equals("57P03"))) {
            return true;
        }
        // Agroal's "Acquisition timeout while waiting for new connection" has no SQLState.
        String message = sql.getMessage();
        return state == null && message != null && message.startsWith("Acquisition timeout");
    }
}
