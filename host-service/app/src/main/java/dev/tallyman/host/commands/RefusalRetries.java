package dev.tallyman.host.commands;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.jboss.logging.Logger;

/**
 * The outbox of refusals that could not be recorded because the event store was down (the caller got 503): each
 * is tried again every second until it is on the record, carrying the time the caller was refused. Bounded and in
 * memory, like the outbox of container exits: at most {@link #LIMIT} wait; one beyond that, or one lost with the
 * service, is named in the log.
 */
final class RefusalRetries implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(RefusalRetries.class);
    static final int LIMIT = 10_000;
    private static final long RETRY_MILLIS = 1000;

    private final Journal journal;
    private final AtomicInteger waiting = new AtomicInteger();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "refusal-retries");
        t.setDaemon(true);
        return t;
    });

    RefusalRetries(Journal journal) {
        this.journal = journal;
    }

    /** Records {@code refusal} a second from now, and again each second until the store takes it. */
    void later(CommandRefused refusal, CommandContext context) {
        if (waiting.incrementAndGet() > LIMIT) {
            waiting.decrementAndGet();
            LOG.errorf("record refusal of %s %s: %d refusals already wait for the event store; this one is not recorded",
                    refusal.command(), refusal.target(), LIMIT);
            return;
        }
        schedule(refusal, context);
    }

    private void schedule(CommandRefused refusal, CommandContext context) {
        timer.schedule(() -> {
            try {
                journal.append(StreamId.REFUSALS, ExpectedVersion.any(), refusal, context);
                waiting.decrementAndGet();
            } catch (RuntimeException e) {
                schedule(refusal, context); // still down: the writer refuses at once, so this costs nothing
            }
        }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
