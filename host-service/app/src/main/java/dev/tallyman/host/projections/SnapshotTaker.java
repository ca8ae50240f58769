package dev.tallyman.host.projections;

import dev.tallyman.audit.event.SnapshotEvent.ProjectionSnapshotTaken;
import dev.tallyman.audit.snapshot.JdbcSnapshotStore;
import dev.tallyman.audit.snapshot.Snapshot;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import java.time.Clock;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Takes a snapshot of the projections every {@code everyEvents} folded events and at a clean shutdown, on a
 * thread of its own: the projections' lock is held only while their maps are copied, never while the state is
 * written or stored, so no request waits for a snapshot.
 *
 * <p>Each snapshot is first put on the record ({@code snapshot.taken} with the digest of its bytes), then
 * stored; a boot uses only a snapshot whose digest the record holds (see {@link ProjectionRebuild}). The two
 * newest are kept for boots, and up to {@link #HISTORY} in all, thinned evenly over the record, for time travel
 * ({@code /tallyman/v1/state?at=} folds from the newest one before the instant asked for).
 */
public final class SnapshotTaker implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(SnapshotTaker.class);
    private static final int KEEP_NEWEST = 2;
    // A snapshot is the size of the projections (about 1 KB a container); 64 of them hold a busy host's history
    // with each time travel folding at most a few times everyEvents.
    static final int HISTORY = 64;

    private final Projections projections;
    private final EventStore store;
    private final JdbcSnapshotStore snapshots;
    private final Clock clock;
    private final long everyEvents;
    // After a boot that folded many events, the first snapshot waits this long: the boot's own work (reconciling
    // every container) needs the processor more than a snapshot does.
    private static final long AFTER_BOOT_SECONDS = 10;

    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tallyman-snapshots");
        t.setDaemon(true);
        return t;
    });
    // guarded by the projections' lock (onApplied runs under it)
    private long sinceLast;
    private boolean scheduled;
    // only touched on the snapshot thread
    private volatile long lastTaken;

    public SnapshotTaker(Projections projections, EventStore store, JdbcSnapshotStore snapshots, Clock clock,
                         long everyEvents, long lastTaken) {
        if (everyEvents <= 0) {
            throw new IllegalArgumentException("snapshots: every-events must be positive, got " + everyEvents);
        }
        this.projections = projections;
        this.store = store;
        this.snapshots = snapshots;
        this.clock = clock;
        this.everyEvents = everyEvents;
        this.lastTaken = lastTaken;
    }

    /**
     * Starts counting folded events. {@code alreadyFolded}: events folded since the last snapshot before this
     * started (a boot's replay), so a boot that had to fold many takes one soon after.
     */
    public void start(long alreadyFolded) {
        projections.onApplied(event -> {
            sinceLast++;
            if (sinceLast >= everyEvents && !scheduled) {
                scheduled = true;
                thread.execute(this::takeQuietly);
            }
        });
        projections.read(p -> {
            sinceLast += alreadyFolded;
            if (sinceLast >= everyEvents && !scheduled) {
                scheduled = true;
                thread.schedule(this::takeQuietly, AFTER_BOOT_SECONDS, TimeUnit.SECONDS);
            }
            return null;
        });
    }

    private void takeQuietly() {
        try {
            take();
        } catch (RuntimeException e) {
            // The record is intact either way; the next boot folds a little more.
            LOG.errorf(e, "take snapshot: %s", e.getMessage());
        }
    }

    /** Takes one now unless the projections have not moved since the last; returns its position, 0 for none. */
    public long take() {
        Projections copy = projections.read(p -> {
            sinceLast = 0;
            scheduled = false;
            return SnapshotFormat.copy(p);
        });
        long position = copy.position();
        if (position == 0 || position == lastTaken) {
            return 0;
        }
        long began = System.nanoTime();
        int size = store(copy, store, snapshots, clock);
        lastTaken = position;
        LOG.infof("snapshot at event %d taken: %d bytes in %d ms", position, size,
                (System.nanoTime() - began) / 1_000_000);
        return position;
    }

    /**
     * Puts a snapshot of {@code state} on the record ({@code snapshot.taken}), then stores it and thins the stored
     * ones; returns its size in bytes. {@code state} must be a copy no one changes meanwhile.
     */
    public static int store(Projections state, EventStore store, JdbcSnapshotStore snapshots, Clock clock) {
        byte[] bytes = SnapshotFormat.write(state);
        Snapshot snapshot = new Snapshot(state.position(), state.headHash(), SnapshotFormat.FORMAT, clock.instant(),
                bytes);
        store.append(StreamId.SNAPSHOTS, ExpectedVersion.any(), List.of(new ProjectionSnapshotTaken(snapshot.position(),
                snapshot.headHash(), snapshot.format(), snapshot.stateDigest(), bytes.length)),
                Actor.system("snapshots"), UUID.randomUUID());
        snapshots.save(snapshot);
        snapshots.prune(SnapshotFormat.FORMAT, KEEP_NEWEST, HISTORY);
        return bytes.length;
    }

    /** Takes a last snapshot on the snapshot thread (a clean shutdown), then stops it. The store must still be open. */
    @Override
    public void close() {
        try {
            thread.submit(this::takeQuietly).get(30, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.warnf("snapshot at shutdown: %s", e.getMessage());
        }
        thread.shutdownNow();
    }
}
