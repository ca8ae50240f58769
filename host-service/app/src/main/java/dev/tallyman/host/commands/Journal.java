package dev.tallyman.host.commands;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.audit.store.WrongExpectedVersionException;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.store.Actor;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Supplier;
import org.jboss.logging.Logger;

/**
 * Where commands write: appends to the event store, whose writer folds every commit into the projections in
 * position order before the append returns, so the caller's next read sees its own write.
 *
 * <p>Appends take no lock here: concurrent commands' appends meet in the store's writer and commit together.
 * A command that checks one object and then appends to that object's stream does so
 * {@link #optimistically}: it appends with the version its check saw, and a command that raced it is told by
 * the store and checks again. Rules that span streams (a name is free, an address is not taken) are checked
 * under {@link #atomically}, which admits one such check-then-append at a time; effects (mounts, runc) run
 * outside both.
 */
public final class Journal {
    private static final Logger LOG = Logger.getLogger(Journal.class);

    private final EventStore store;
    private final Projections projections;
    // Intents of commands running now (appended inside command()) that no outcome has followed yet.
    private final java.util.Set<OpenIntent> open = java.util.concurrent.ConcurrentHashMap.newKeySet();
    // The intents the command on this thread has appended: a blocking handler runs on one worker thread.
    private final ThreadLocal<List<OpenIntent>> scope = new ThreadLocal<>();
    private final ReentrantLock lock = new ReentrantLock();
    // Issue 11: takes secrets out of an event before it is written (identity without an audit policy).
    private volatile java.util.function.UnaryOperator<Event> redactor = java.util.function.UnaryOperator.identity();

    // How often a check-then-append that lost a race checks again before the caller gets a 409.
    private static final int OPTIMISTIC_ATTEMPTS = 8;

    public Journal(EventStore store, Projections projections) {
        this.store = store;
        this.projections = projections;
        store.onCommit(events -> events.forEach(projections::apply));
    }

    /**
     * Appends and returns once the events are committed and folded. A stream that is not at the expected
     * version fails with {@link VersionConflict}, a 409 unless {@link #optimistically} retries it.
     */
    public List<RecordedEvent> append(StreamId stream, ExpectedVersion expected, List<? extends Event> events,
                                      CommandContext context) {
        List<RecordedEvent> recorded;
        events = events.stream().map(redactor).toList();
        try {
            recorded = store.append(stream, expected, events, context.actor(), context.correlationId());
        } catch (WrongExpectedVersionException e) {
            throw new VersionConflict(e);
        }
        CrashPoint.after(recorded);
        track(stream, recorded);
        return recorded;
    }

    /**
     * Runs one command so that it cannot leave an object half-way: every intent it appended that no outcome
     * followed when it ends (it threw something unforeseen, or forgot) is closed on the spot with its failure
     * outcome, naming the cause, by Tallyman itself. Outcomes appended later by other threads are not waited for.
     */
    public void command(Command command) throws Exception {
        List<OpenIntent> opened = new ArrayList<>();
        List<OpenIntent> outer = scope.get();
        scope.set(opened);
        Exception failure = null;
        try {
            command.run();
        } catch (Exception e) {
            failure = e;
            throw e;
        } finally {
            scope.set(outer);
            closeLeftOpen(opened, failure);
        }
    }

    /** One command's work, as an API handler does it. */
    @FunctionalInterface
    public interface Command {
        void run() throws Exception;
    }

    private void closeLeftOpen(List<OpenIntent> opened, Exception failure) {
        for (OpenIntent left : opened) {
            if (!open.remove(left)) {
                continue; // an outcome closed it
            }
            String reason = "command ended without an outcome: "
                    + (failure == null ? "no error was reported" : String.valueOf(failure.getMessage()));
            try {
                store.append(left.stream(), ExpectedVersion.any(), List.of(left.intent().interrupted(reason)),
                        Actor.system("tallyman"), left.correlationId());
            } catch (RuntimeException e) {
                // The boot reconciler closes it then; the record is never the reason a command's error is lost.
                LOG.errorf(e, "close intent %s in stream %s", left.intent().getClass().getSimpleName(), left.stream());
            }
        }
    }

    /** Intents appended inside a {@link #command} are remembered until an outcome of theirs is appended. */
    private void track(StreamId stream, List<RecordedEvent> recorded) {
        List<OpenIntent> opened = scope.get();
        for (RecordedEvent r : recorded) {
            if (r.event() instanceof Intent intent) {
                if (opened != null) {
                    OpenIntent o = new OpenIntent(stream, intent, r.correlationId());
                    opened.add(o);
                    open.add(o);
                }
            } else if (!open.isEmpty()) {
                open.removeIf(o -> o.stream().equals(stream) && o.correlationId().equals(r.correlationId())
                        && o.intent().outcomes().contains(r.event().getClass()));
            }
        }
    }

    /**
     * Whether a command running now has an intent open in this stream: the periodic reconciler leaves such a
     * stream alone, since the command will append the outcome itself.
     */
    public boolean running(StreamId stream) {
        for (OpenIntent o : open) {
            if (o.stream().equals(stream)) {
                return true;
            }
        }
        return false;
    }

    /** An intent of a running command, still waiting for its outcome. */
    private record OpenIntent(StreamId stream, Intent intent, UUID correlationId) {
    }

    /**
     * Queues an append and returns at once; the future completes when the events are committed and folded, or
     * fails as {@link #append} would throw. For a command that must hold an in-memory reservation only until
     * its append has its place in the writer's queue, not until the commit.
     */
    public CompletableFuture<RecordedEvent> appendQueued(StreamId stream, ExpectedVersion expected, Event event,
                                                         CommandContext context) {
        return store.appendAsync(stream, expected, List.of(redactor.apply(event)), context.actor(), context.correlationId())
                .handle((recorded, failure) -> {
                    if (failure == null) {
                        return recorded.get(0);
                    }
                    Throwable cause = failure instanceof java.util.concurrent.CompletionException ? failure.getCause() : failure;
                    if (cause instanceof WrongExpectedVersionException e) {
                        throw new VersionConflict(e);
                    }
                    throw cause instanceof RuntimeException r ? r : new IllegalStateException(cause);
                });
    }

    /** Waits for an {@link #appendQueued} append, rethrowing its failure as {@link #append} would. */
    public static RecordedEvent await(CompletableFuture<RecordedEvent> queued) {
        try {
            return queued.join();
        } catch (java.util.concurrent.CompletionException e) {
            throw e.getCause() instanceof RuntimeException r ? r : e;
        }
    }

    public RecordedEvent append(StreamId stream, ExpectedVersion expected, Event event, CommandContext context) {
        return append(stream, expected, List.of(event), context).get(0);
    }

    /**
     * Runs a check of one object followed by appends to its stream at the version the check saw; when another
     * command appended to that stream in between, runs the check again (which then sees the other command's
     * effect and may answer differently), up to a few times, then answers 409.
     */
    public <T> T optimistically(Supplier<T> checkThenAppend) {
        for (int attempt = 1; ; attempt++) {
            try {
                return checkThenAppend.get();
            } catch (VersionConflict e) {
                if (attempt >= OPTIMISTIC_ATTEMPTS) {
                    throw EngineException.conflict(e.getMessage());
                }
                Thread.onSpinWait();
            }
        }
    }

    /**
     * Runs a check-then-append sequence with no other {@code atomically} sequence in between: for rules that
     * span streams, such as unique names. Plain appends and optimistic commands are not held up by it.
     */
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

    /**
     * Records a refusal that the event store could not take when it happened (an outage: the caller got 503), as
     * soon as the store is back, with the time of the refusal. Nothing a caller was told is missing from the record
     * afterwards (issue 12).
     */
    public void refuseWhenBack(CommandContext context, String command, String target, EngineException refusal) {
        CommandRefused event = new CommandRefused(command, target == null ? "" : target, refusal.kind().status(),
                refusal.getMessage()).refusedAt(java.time.Instant.now());
        refusalRetries.later(event, context);
    }

    private final RefusalRetries refusalRetries = new RefusalRetries(this);

    /** Every event a command appends passes through this first, so a secret never reaches the store (issue 11). */
    public void redactWith(java.util.function.UnaryOperator<Event> redactor) {
        this.redactor = redactor;
    }

    public EventStore store() {
        return store;
    }

    public Projections projections() {
        return projections;
    }
}
