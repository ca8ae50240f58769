package dev.tallyman.audit.store;

import dev.tallyman.audit.event.Event;
import java.time.Instant;
import java.util.UUID;

/**
 * An event as stored: its envelope and its payload.
 *
 * @param position global position, increasing in commit order across all streams
 * @param version the event's version within its stream, from 0
 * @param type the stored type name (see {@link dev.tallyman.audit.event.EventType})
 * @param hash hex SHA-256 over the previous event's hash and this event's columns
 * @param payloadJson the payload's JSON exactly as stored and hashed, when at hand (read from or written to the
 *                    store); null otherwise. A relay writes it as it is instead of encoding {@code event} again.
 */
public record RecordedEvent(
        long position,
        StreamId stream,
        long version,
        String type,
        Event event,
        Actor actor,
        UUID correlationId,
        Instant occurredAt,
        String previousHash,
        String hash,
        String payloadJson) {

    /** An event whose stored JSON is not at hand. */
    public RecordedEvent(long position, StreamId stream, long version, String type, Event event, Actor actor,
                         UUID correlationId, Instant occurredAt, String previousHash, String hash) {
        this(position, stream, version, type, event, actor, correlationId, occurredAt, previousHash, hash, null);
    }
}
