package dev.tallyman.host.audit.query;

/** A query parameter of the audit API that cannot be read; the caller gets 400 with this message. */
public final class BadFilterException extends RuntimeException {
    public BadFilterException(String message) {
        super(message, null, false, false);
    }
}
