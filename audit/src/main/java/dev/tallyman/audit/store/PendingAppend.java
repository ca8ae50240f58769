package dev.tallyman.audit.store;

import dev.tallyman.audit.event.Event;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;

/**
 * One caller's append waiting for the writer: the events already encoded in the caller's thread, so a bad
 * event fails its own caller and never the batch it would have joined.
 */
record PendingAppend(
        StreamId stream,
        ExpectedVersion expected,
        List<Event> events,
        List<String> types,
        List<String> payloads,
        Actor actor,
        UUID correlationId,
        CompletableFuture<List<RecordedEvent>> result) {

    PendingAppend {
        events = List.copyOf(events);
        types = List.copyOf(types);
        payloads = List.copyOf(payloads);
    }

    /** Whether a stream whose last version is {@code current} (null: no stream) satisfies the expectation. */
    boolean expects(Long current) {
        if (expected instanceof ExpectedVersion.NoStream) {
            return current == null;
        }
        if (expected instanceof ExpectedVersion.Exactly exactly) {
            return current != null && current == exactly.version();
        }
        if (expected instanceof ExpectedVersion.Any) {
            return true;
        }
        throw new IllegalStateException("append to stream " + stream + ": unknown expected version " + expected);
    }
}
