package dev.tallyman.audit.store;

/**
 * The database cannot take or answer store operations right now (stopped, stalled, unreachable, timed out).
 * The message is for the caller as it stands: {@code the event store is unavailable: <reason>}, never SQL text.
 * Nothing of the refused operation was written.
 */
public final class EventStoreUnavailableException extends EventStoreException {
    public EventStoreUnavailableException(String reason, Throwable cause) {
        super("the event store is unavailable: " + reason, cause);
    }
}
