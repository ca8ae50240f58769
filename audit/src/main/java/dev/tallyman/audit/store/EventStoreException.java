package dev.tallyman.audit.store;

/** The database failed or refused a store operation; the message names the operation, then the cause. */
public class EventStoreException extends RuntimeException {
    public EventStoreException(String message, Throwable cause) {
        super(message, cause);
    }
}
