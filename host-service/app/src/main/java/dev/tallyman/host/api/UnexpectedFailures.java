package dev.tallyman.host.api;

import java.sql.SQLException;

/**
 * What a caller is told of a failure the service did not expect (a 500): the failure's own message, unless it
 * came from the database, whose text (SQL, table and constraint names) stays in the log and the record.
 */
final class UnexpectedFailures {
    private UnexpectedFailures() {
    }

    static String answer(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof SQLException || t.getClass().getName().startsWith("org.postgresql")) {
                return "the event store failed (" + t.getClass().getSimpleName() + "); the service log has the details";
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return String.valueOf(failure.getMessage());
    }
}
