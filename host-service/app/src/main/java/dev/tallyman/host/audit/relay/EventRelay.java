package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.relay.RelayPositions;
import dev.tallyman.audit.store.CommitSignal;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.EventTail;
import dev.tallyman.audit.store.RecordedEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Publishes every committed event, in position order, to one {@link RelaySink}, at least once and with no gap.
 *
 * <p>It tails the store by position ({@link EventTail}, gap-safe) on a thread of its own, so the write path never
 * waits for it: a destination that is slow or down only lets the relay fall behind. At most {@code window} events
 * are in flight (bounded memory); the tail waits for acknowledgements beyond that. The position it confirms is the
 * end of the acknowledged prefix (every event up to it acknowledged), stored in {@link RelayPositions} a few times
 * a second; a restart resumes after it, so events acknowledged after the last save are published again (the
 * duplicates a consumer drops by position) and none is skipped.
 *
 * <p>A refused or lost event stops the run: the relay lets the events in flight settle, then starts again after
 * the confirmed position, after a pause, for as long as the destination fails.
 */
public final class EventRelay implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(EventRelay.class);
    private static final Duration SAVE_EVERY = Duration.ofMillis(250);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(1);
    private static final Duration SETTLE_LIMIT = Duration.ofSeconds(60);

    private final RelaySink sink;
    private final EventStore store;
    private final CommitSignal commits;
    private final RelayPositions positions;
    private final Clock clock;
    private final int window;
    private final ScheduledExecutorService supervisor;
    private final long headAtStart;
    private volatile Run run;
    private volatile long saved;
    private volatile boolean closed;
    private volatile String lastProblem = "";

    private EventRelay(RelaySink sink, EventStore store, CommitSignal commits, RelayPositions positions, Clock clock,
                       int window, long from) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.store = Objects.requireNonNull(store, "store");
        this.commits = Objects.requireNonNull(commits, "commits");
        this.positions = Objects.requireNonNull(positions, "positions");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.window = window;
        this.saved = from;
        this.headAtStart = store.lastPosition();
        this.supervisor = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread thread = new Thread(r, "relay-" + sink.name());
            thread.setDaemon(true);
            return thread;
        });
    }

    /**
     * Starts relaying after the position stored for the sink's name, or, when none is stored yet, after
     * {@code firstStart} (0: the whole record).
     */
    public static EventRelay start(RelaySink sink, EventStore store, CommitSignal commits, RelayPositions positions,
                                   Clock clock, int window, long firstStart) {
        long from = positions.load(sink.name()).orElse(firstStart);
        EventRelay relay = new EventRelay(sink, store, commits, positions, clock, window, from);
        relay.run = relay.new Run(from);
        relay.supervisor.scheduleWithFixedDelay(relay::supervise, SAVE_EVERY.toMillis(), SAVE_EVERY.toMillis(),
                TimeUnit.MILLISECONDS);
        LOG.infof("relay %s: publishing events after position %d", sink.name(), from);
        return relay;
    }

    public String name() {
        return sink.name();
    }

    /** The end of the acknowledged prefix: every event up to this position reached the destination. */
    public long confirmed() {
        return run.confirmed();
    }

    /** Committed events not yet acknowledged by the destination. */
    public long lag() {
        long head = Math.max(headAtStart, commits.lastCommitted());
        return Math.max(0, head - confirmed());
    }

    private void supervise() {
        try {
            Run current = run;
            long confirmed = current.confirmed();
            if (confirmed > saved) {
                positions.save(sink.name(), confirmed, clock.instant());
                saved = confirmed;
            }
            Throwable failure = current.failure != null ? current.failure : current.tail.failure().orElse(null);
            if (failure != null && !closed) {
                String problem = String.valueOf(failure.getMessage());
                if (!problem.equals(lastProblem)) {
                    LOG.warnf("relay %s: publish after position %d: %s; publishing again from there", sink.name(),
                            confirmed, problem);
                    lastProblem = problem;
                }
                current.stop();
                current.settle(SETTLE_LIMIT);
                Thread.sleep(RETRY_AFTER.toMillis());
                long from = current.confirmed();
                if (!closed) {
                    run = new Run(from);
                }
            } else if (failure == null && !lastProblem.isEmpty() && confirmed > current.from) {
                LOG.infof("relay %s: publishing again, confirmed up to position %d", sink.name(), confirmed);
                lastProblem = "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            // a database hiccup while saving: the position is saved at the next turn
            LOG.debugf("relay %s: %s", sink.name(), e.getMessage());
        }
    }

    /** Stops publishing and stores the confirmed position; events in flight are published again at the next start. */
    @Override
    public void close() {
        closed = true;
        run.stop();
        supervisor.shutdownNow();
        try {
            supervisor.awaitTermination(5, TimeUnit.SECONDS);
            long confirmed = run.confirmed();
            if (confirmed > saved) {
                positions.save(sink.name(), confirmed, clock.instant());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException e) {
            LOG.warnf("relay %s: save position at stop: %s", sink.name(), e.getMessage());
        }
    }

    /** One pass of the tail from a confirmed position until the destination fails or the relay closes. */
    private final class Run {
        final long from;
        private final Semaphore slots = new Semaphore(window);
        private final TreeSet<Long> inFlight = new TreeSet<>();
        private long highestSent;
        private final EventTail tail;
        volatile Throwable failure;
        private volatile boolean stopping;

        Run(long from) {
            this.from = from;
            this.highestSent = from;
            this.tail = EventTail.start("relay-tail-" + sink.name(), store, commits, from, this::publish);
        }

        private void publish(RecordedEvent event) {
            try {
                slots.acquire();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException("relay " + sink.name() + " stopped");
            }
            if (stopping || failure != null) {
                slots.release();
                throw new IllegalStateException("relay " + sink.name() + " stopped");
            }
            long position = event.position();
            synchronized (this) {
                inFlight.add(position);
                highestSent = position;
            }
            try {
                sink.publish(event).whenComplete((ok, error) -> settled(position, error));
            } catch (RuntimeException e) {
                settled(position, e);
            }
        }

        private void settled(long position, Throwable error) {
            if (error != null) {
                if (failure == null) {
                    failure = error;
                }
            } else if (failure == null) {
                // After a failure the prefix stops growing: what follows a lost event is published again anyway.
                synchronized (this) {
                    inFlight.remove(position);
                }
            }
            slots.release();
        }

        synchronized long confirmed() {
            return inFlight.isEmpty() ? highestSent : inFlight.first() - 1;
        }

        void stop() {
            stopping = true;
            tail.close();
        }

        /** Waits until every event sent in this run was acknowledged or refused, at most {@code limit}. */
        void settle(Duration limit) throws InterruptedException {
            if (slots.tryAcquire(window, limit.toMillis(), TimeUnit.MILLISECONDS)) {
                slots.release(window);
            }
        }
    }
}
