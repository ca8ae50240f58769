package dev.tallyman.audit.store;

import java.net.SocketTimeoutException;
import java.sql.SQLException;
import java.util.Optional;

/**
 * Tells a database outage (the server is away, stalled or overloaded: retrying later helps) from any other
 * failure (a bug, a constraint), and words it for a caller without the driver's SQL text.
 */
final class OutageReason {
    private OutageReason() {
    }

    /** The reason in our words when {@code failure} is an outage; empty for any other failure. */
    static Optional<String> of(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SocketTimeoutException) {
                return Optional.of("PostgreSQL did not answer in time");
            }
        }
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException sql) {
                Optional<String> reason = ofState(sql.getSQLState(), sql.getMessage());
                if (reason.isPresent()) {
                    return reason;
                }
            }
        }
        return Optional.empty();
    }

    private static Optional<String> ofState(String state, String message) {
        if (state == null) {
            // Agroal's own failures carry no state: the pool found no connection within its acquisition timeout.
            return message != null && message.toLowerCase(java.util.Locale.ROOT).contains("acquisition timeout")
                    ? Optional.of("no database connection within the acquisition timeout")
                    : Optional.empty();
        }
        if (state.startsWith("08")) {
            // pgjdbc reports a socket timeout as an I/O error (08006) whose cause is the SocketTimeoutException
            return Optional.of("cannot reach PostgreSQL");
        }
        return switch (state) {
            case "57014" -> Optional.of("a statement ran past the statement timeout");
            case "55P03" -> Optional.of("a lock was not granted within the lock timeout");
            case "57P01", "57P02", "57P03" -> Optional.of("PostgreSQL is shutting down or starting up");
            case "53300" -> Optional.of("PostgreSQL has no connection slot left");
            default -> Optional.empty();
        };
    }
}
