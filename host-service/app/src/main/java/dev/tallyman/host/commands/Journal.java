package dev.tallyman.host.commands;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.audit.store.WrongExpectedVersionException;
import dev.tallyman.host.projections.Projections;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Where commands write: appends to the event store and folds what was appended into the projections before
 * returning, so the caller's next read sees its own write.
 *
 * <p>One lock covers "check the projection, then append": a name checked free cannot be taken by another
 * request before this one's intent is on the record. Effects (mounts, runc) run outside the lock.
 */
public final class Journal {
    private static final Logger LOG = Logger.getLogger(Journal.class);

    private final EventStore store;
    private final Projections projections;
    private final ReentrantLock lock = new ReentrantLock();

    public Journal(EventStore store, Projections projections) {
        this.store = store;
        this.projections = projections;
    }

    public List<RecordedEvent> append(StreamId stream, ExpectedVersion expected, List<? extends Event> events,
                                      CommandContext context) {
        lock.lock();
        try {
            List<RecordedEvent> recorded = store.append(stream, expected, events, context.actor(), context.correlationId());
            recorded.forEach(projections::apply);
            return recorded;
        } catch (WrongExpectedVersionException e) {
            throw EngineException.conflict(e.getMessage());
        } finally {
            lock.unlock();
        }
    }

    public RecordedEvent append(StreamId stream, ExpectedVersion expected, Event event, CommandContext context) {
        return append(stream, expected, List.of(event), context).get(0);
    }

    /** Runs a check-then-append sequence with no other writer in between. */
    public <T> T atomically(Supplier<T> checkThenAppend) {
        lock.lock();
        try {
            return checkThenAppend.get();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Records that a command was refused and returns the exception to throw, so every refusal is on the record
     * with the status and message the caller got. A failure to record is logged, never hides the refusal.
     */
    public EngineException refuse(CommandContext context, String command, String target, EngineException refusal) {
        try {
            append(StreamId.REFUSALS, ExpectedVersion.any(),
                    new CommandRefused(command, target == null ? "" : target, refusal.kind().status(), refusal.getMessage()),
                    context);
        } catch (RuntimeException e) {
            LOG.errorf(e, "record refusal of %s %s", command, target);
        }
        return refusal;
    }

    public EventStore store() {
        return store;
    }

    public Projections projections() {
        return projections;
    }
}
