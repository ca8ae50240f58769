package dev.tallyman.audit.store;

import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.function.Consumer;

/**
 * Follows the store from a position: delivers every later event to a consumer exactly once, in position
 * order, on a thread of its own, until closed. Used by {@code docker events} and the relay to Kafka.
 *
 * <p>It reads with {@link EventStore#readAll}, which is gap-safe, so remembering the last position delivered
 * is all the state it needs. Between reads it sleeps on the store's {@link CommitSignal} (woken right after
 * a commit in this JVM) for at most the poll interval (which catches writers in other processes).
 *
 * <p>A database failure is retried each poll interval ({@link #lastReadFailure()} shows it); an exception
 * from the consumer, or an event that cannot be decoded, stops the tail ({@link #failure()}).
 */
public final class EventTail implements AutoCloseable {
    public static final Duration DEFAULT_POLL_INTERVAL = Duration.ofMillis(500);
    public static final int DEFAULT_BATCH = 500;

    private final EventStore store;
    private final CommitSignal commits;
    private final Consumer<RecordedEvent> consumer;
    private final Duration pollInterval;
    private final int batch;
    private final Thread thread;
    private volatile long position;
    private volatile boolean stopping;
    private volatile Throwable failure;
    private volatile EventStoreException lastReadFailure;

    private EventTail(String name, EventStore store, CommitSignal commits, long afterPosition,
                      Consumer<RecordedEvent> consumer, Duration pollInterval, int batch) {
        if (afterPosition < 0) {
            throw new IllegalArgumentException("tail events: position is never negative: " + afterPosition);
        }
        if (batch <= 0 || pollInterval.isNegative() || pollInterval.isZero()) {
            throw new IllegalArgumentException("tail events: batch and poll interval must be positive");
        }
        this.store = Objects.requireNonNull(store, "store");
        this.commits = Objects.requireNonNull(commits, "commits");
        this.consumer = Objects.requireNonNull(consumer, "consumer");
        this.pollInterval = pollInterval;
        this.batch = batch;
        this.position = afterPosition;
        this.thread = new Thread(this::run, name);
        this.thread.setDaemon(true);
    }

    /**
     * Starts following {@code store} with every event after {@code afterPosition} (0: from the first).
     *
     * @param name the thread's name, e.g. "events-tail-3f2a" so a thread dump says whose tail it is
     */
    public static EventTail start(String name, EventStore store, CommitSignal commits, long afterPosition,
                                  Consumer<RecordedEvent> consumer) {
        return start(name, store, commits, afterPosition, consumer, DEFAULT_POLL_INTERVAL, DEFAULT_BATCH);
    }

    public static EventTail start(String name, EventStore store, CommitSignal commits, long afterPosition,
                                  Consumer<RecordedEvent> consumer, Duration pollInterval, int batch) {
        EventTail tail = new EventTail(name, store, commits, afterPosition, consumer, pollInterval, batch);
        tail.thread.start();
        return tail;
    }

    /** The position of the last event delivered, or the start position before any. */
    public long position() {
        return position;
    }

    /** Whether the tail is still following: not closed and not stopped by a failure. */
    public boolean isRunning() {
        return thread.isAlive() && !stopping;
    }

    /** What stopped the tail, if something did. */
    public Optional<Throwable> failure() {
        return Optional.ofNullable(failure);
    }

    /** The latest database failure while reading, cleared by the next successful read. */
    public Optional<EventStoreException> lastReadFailure() {
        return Optional.ofNullable(lastReadFailure);
    }

    /** Stops delivering and waits for the consumer to return from the event it is handling, if any. */
    @Override
    public void close() {
        stopping = true;
        thread.interrupt();
        if (Thread.currentThread() != thread) {
            try {
                thread.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    private void run() {
        commits.follow(this);
        // While the consumer works through a full page, the next one is read: on a backlog (a relay catching up,
        // a replay) the database read and the decoding overlap with the delivery instead of taking turns.
        ExecutorService reader = Executors.newSingleThreadExecutor(r -> {
            Thread t = new Thread(r, thread.getName() + "-read");
            t.setDaemon(true);
            return t;
        });
        Future<List<RecordedEvent>> ahead = null;
        try {
            while (!stopping) {
                List<RecordedEvent> events;
                try {
                    events = ahead != null ? page(ahead) : store.readAll(position, batch);
                    lastReadFailure = null;
                } catch (EventStoreException e) {
                    lastReadFailure = e;
                    Thread.sleep(pollInterval.toMillis());
                    continue;
                } finally {
                    ahead = null;
                }
                if (events.size() == batch) {
                    long after = events.get(events.size() - 1).position();
                    ahead = reader.submit(() -> store.readAll(after, batch));
                }
                for (RecordedEvent event : events) {
                    if (stopping) {
                        return;
                    }
                    consumer.accept(event);
                    position = event.position();
                }
                if (events.size() < batch) {
                    commits.awaitBeyond(position, pollInterval);
                }
            }
        } catch (InterruptedException e) {
            // close() interrupts a sleeping tail; nothing more to do
        } catch (RuntimeException | Error e) {
            if (!stopping) {
                failure = e;
            }
        } finally {
            stopping = true;
            reader.shutdownNow();
            commits.unfollow(this);
        }
    }

    /** The page read ahead, with the read's own failure as it would have come from a read on this thread. */
    private static List<RecordedEvent> page(Future<List<RecordedEvent>> ahead) throws InterruptedException {
        try {
            return ahead.get();
        } catch (ExecutionException e) {
            if (e.getCause() instanceof RuntimeException r) {
                throw r;
            }
            if (e.getCause() instanceof Error error) {
                throw error;
            }
            throw new IllegalStateException("read events ahead: " + e.getCause(), e.getCause());
        }
    }
}
