package dev.tallyman.audit.evidence;

import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.RecordedEvent;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Signs a checkpoint of the store's head every {@code everyEvents} committed events, and every {@code every}
 * when there are events since the last one (and at a clean stop), on a thread of its own: the writer thread
 * only notes the newest (position, hash) it committed. Each checkpoint goes to the append-only file first (forced
 * to disk), then to the table, then to {@link #onCheckpoint} listeners (the place for a Kafka relay).
 *
 * <p>The signed hash is the one the writer computed when it appended, not one read back from the table, so a
 * row changed in the table after its commit cannot slip into a checkpoint.
 */
public final class Checkpointer implements AutoCloseable {
    private static final System.Logger LOG = System.getLogger(Checkpointer.class.getName());

    private final CheckpointKey key;
    private final CheckpointFile file;
    private final JdbcCheckpointStore table;
    private final Clock clock;
    private final long everyEvents;
    private final List<Consumer<Checkpoint>> listeners = new CopyOnWriteArrayList<>();
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tallyman-checkpoints");
        t.setDaemon(true);
        return t;
    });

    // guarded by this
    private long headPosition;
    private String headHash;
    private long sinceLast;
    private boolean queued;
    // only touched on the checkpoint thread
    private long lastSigned;

    /**
     * @param lastSigned      the newest position already signed (file or table), 0 for none
     * @param headPosition    the store's head at start, with its hash, so events written before this service
     * @param headHash        started are covered by the first checkpoint
     */
    public Checkpointer(CheckpointKey key, CheckpointFile file, JdbcCheckpointStore table, Clock clock, long everyEvents,
                        long lastSigned, long headPosition, String headHash) {
        if (everyEvents <= 0) {
            throw new IllegalArgumentException("checkpoints: every-events must be positive, got " + everyEvents);
        }
        this.key = Objects.requireNonNull(key, "key");
        this.file = Objects.requireNonNull(file, "file");
        this.table = Objects.requireNonNull(table, "table");
        this.clock = Objects.requireNonNull(clock, "clock");
        this.everyEvents = everyEvents;
        this.lastSigned = lastSigned;
        this.headPosition = headPosition;
        this.headHash = headHash;
        this.sinceLast = Math.max(0, headPosition - lastSigned);
    }

    /** Called with every checkpoint once it is in the file and the table. */
    public void onCheckpoint(Consumer<Checkpoint> listener) {
        listeners.add(Objects.requireNonNull(listener, "listener"));
    }

    /** Follows the store's commits and signs on the two triggers from now on. */
    public void start(EventStore store, Duration every) {
        store.onCommit(this::committed);
        long millis = Math.max(1, every.toMillis());
        thread.scheduleWithFixedDelay(this::signQuietly, millis, millis, TimeUnit.MILLISECONDS);
        boolean now;
        synchronized (this) {
            now = sinceLast >= everyEvents && !queued;
            queued |= now;
        }
        if (now) {
            thread.execute(this::signQuietly);
        }
    }

    /** On the writer thread: cheap, no I/O. */
    private void committed(List<RecordedEvent> events) {
        RecordedEvent last = events.get(events.size() - 1);
        boolean now;
        synchronized (this) {
            headPosition = last.position();
            headHash = last.hash();
            sinceLast += events.size();
            now = sinceLast >= everyEvents && !queued;
            queued |= now;
        }
        if (now) {
            thread.execute(this::signQuietly);
        }
    }

    private void signQuietly() {
        try {
            sign();
        } catch (RuntimeException e) {
            // the events are committed either way; the next trigger signs a later head that covers them
            LOG.log(System.Logger.Level.ERROR, "sign checkpoint: " + e.getMessage(), e);
        }
    }

    /** Signs the head now unless it is signed already; answers the checkpoint, or null when none was due. */
    public Checkpoint sign() {
        long position;
        String hash;
        synchronized (this) {
            queued = false;
            position = headPosition;
            hash = headHash;
            if (position <= lastSigned || hash == null) {
                return null;
            }
            sinceLast = 0;
        }
        Checkpoint checkpoint = key.sign(position, hash, clock.instant());
        file.append(checkpoint);
        table.save(checkpoint);
        lastSigned = position;
        for (Consumer<Checkpoint> listener : listeners) {
            try {
                listener.accept(checkpoint);
            } catch (RuntimeException e) {
                LOG.log(System.Logger.Level.WARNING, "checkpoint " + position + " listener: " + e.getMessage(), e);
            }
        }
        return checkpoint;
    }

    /** Signs a last checkpoint of what was written (a clean stop), then stops. */
    @Override
    public void close() {
        try {
            thread.submit(this::signQuietly).get(10, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.log(System.Logger.Level.WARNING, "checkpoint at shutdown: " + e.getMessage());
        }
        thread.shutdownNow();
    }
}
