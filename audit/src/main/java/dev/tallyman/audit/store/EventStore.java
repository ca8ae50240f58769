package dev.tallyman.audit.store;

import dev.tallyman.audit.event.Event;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;

/**
 * The append-only record of everything Tallyman did and saw. Appends are the only writes.
 */
public interface EventStore {

    /**
     * Appends events to one stream atomically, all or none, if the stream's version matches {@code expected};
     * otherwise throws {@link WrongExpectedVersionException} and writes nothing. The store stamps position,
     * version, time (from its clock), actor, correlation id and hashes.
     *
     * @return the events as recorded, in order
     */
    List<RecordedEvent> append(StreamId stream, ExpectedVersion expected, List<? extends Event> events,
                               Actor actor, UUID correlationId);

    /**
     * The same append without waiting: the future completes once the events are committed (or fails as
     * {@link #append} would throw). Several appends in flight from one caller commit together.
     */
    CompletableFuture<List<RecordedEvent>> appendAsync(StreamId stream, ExpectedVersion expected,
                                                       List<? extends Event> events, Actor actor, UUID correlationId);

    /**
     * Calls {@code listener} after each commit of this store with the committed events in position order, one
     * commit at a time and before the appending callers are answered: a fold fed by it sees every event of this
     * store once and in order, and a caller finds its own events folded when its append returns.
     */
    void onCommit(Consumer<List<RecordedEvent>> listener);

    /**
     * The newest {@code count} events of one stream, in version order: where a stream that grows for ever (a
     * network's endpoints) is searched for what a crash left open, which is always near its end.
     */
    List<RecordedEvent> readStreamTail(StreamId stream, int count);

    /** Every event of one stream in version order; empty when the stream does not exist. */
    List<RecordedEvent> readStream(StreamId stream);

    /**
     * Up to {@code limit} events with a position greater than {@code afterPosition}, in position order.
     * Gap-safe: an event committed after this call returns never has a position at or below the last one returned.
     */
    List<RecordedEvent> readAll(long afterPosition, int limit);

    /**
     * Hands every event with a position greater than {@code afterPosition} to {@code fold}, in position order, as
     * of the moment the read began, and returns the position of the last one (or {@code afterPosition} when there
     * was none). Where projections are rebuilt: unlike pages of {@link #readAll} it reads the store in one pass.
     */
    default long replay(long afterPosition, Consumer<RecordedEvent> fold) {
        long after = afterPosition;
        while (true) {
            List<RecordedEvent> page = readAll(after, 1000);
            if (page.isEmpty()) {
                return after;
            }
            page.forEach(fold);
            after = page.get(page.size() - 1).position();
        }
    }

    /** Events whose time lies in [since, until), in position order, for {@code docker events --since/--until}. */
    List<RecordedEvent> readBetween(Instant since, Instant until, int limit);

    /** The hash of the event at {@code position}; empty when the store holds no such event. */
    java.util.Optional<String> hashAt(long position);

    /** The position of the newest event, or 0 when the store is empty. */
    long lastPosition();

    /** Walks the hash chain from the first event and names the first event whose hash does not hold. */
    ChainVerification verify();
}
