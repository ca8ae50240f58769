package dev.tallyman.host.api;

import dev.tallyman.audit.store.EventStoreException;
import dev.tallyman.audit.store.EventStoreUnavailableException;
import dev.tallyman.host.commands.EngineException;
import java.util.Optional;

/**
 * What a caller is told when the event store failed under a request: 503 with the store's own words when the
 * database is away (the intent could not be recorded, so nothing was done), and a 500 that points to the log
 * for any other store failure, so no answer ever carries the driver's SQL or server text.
 */
final class StoreFailures {
    private StoreFailures() {
    }

    /** The answer for {@code failure} when a store failure is somewhere in its causes; empty otherwise. */
    static Optional<EngineException> answerFor(Throwable failure) {
        EventStoreException other = null;
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof EventStoreUnavailableException unavailable) {
                return Optional.of(new EngineException(EngineException.Kind.UNAVAILABLE, unavailable.getMessage(), failure));
            }
            if (t instanceof EventStoreException e && other == null) {
                other = e;
            }
        }
        if (other == null) {
            return Optional.empty();
        }
        return Optional.of(EngineException.system("the event store failed; see the service log", failure));
    }
}
