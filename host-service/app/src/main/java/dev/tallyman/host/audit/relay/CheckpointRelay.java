package dev.tallyman.host.audit.relay;

import dev.tallyman.audit.evidence.Checkpoint;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.relay.RelayPositions;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.jboss.logging.Logger;

/**
 * Publishes the signed checkpoints, in position order, at least once: the {@code checkpoints} table is the queue.
 * A pass sends every checkpoint after the last one the destination acknowledged, one at a time, and stores each
 * acknowledged position in {@code relay_positions} under {@value #NAME}. A pass runs at start, after each new
 * checkpoint, and a few seconds after a pass that failed, on a thread of its own: the checkpointer only asks for
 * one, so a broker that is down never holds up a checkpoint (it is in the file and the table already) nor a
 * command. A checkpoint sent again after a restart is a duplicate a consumer drops by position.
 */
public final class CheckpointRelay implements AutoCloseable {
    public static final String NAME = "kafka-checkpoints";
    private static final Logger LOG = Logger.getLogger(CheckpointRelay.class);
    // longer than the channel's delivery.timeout.ms (2 min): the producer's own verdict comes first
    private static final Duration ACK_LIMIT = Duration.ofMinutes(3);
    private static final Duration RETRY_AFTER = Duration.ofSeconds(5);
    private static final int BATCH = 100;

    private final Function<Checkpoint, CompletionStage<Void>> sink;
    private final JdbcCheckpointStore table;
    private final RelayPositions positions;
    private final Clock clock;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-" + NAME);
        t.setDaemon(true);
        return t;
    });
    // guarded by this: a pass is asked for and not begun yet, so a burst of asks makes one pass
    private boolean asked;
    // only touched on the relay's thread
    private long acknowledged = -1;
    private String lastProblem = "";

    public CheckpointRelay(Function<Checkpoint, CompletionStage<Void>> sink, JdbcCheckpointStore table,
                           RelayPositions positions, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.table = Objects.requireNonNull(table, "table");
        this.positions = Objects.requireNonNull(positions, "positions");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Asks for a pass; never waits. A checkpointer listener. */
    public void publishPending() {
        synchronized (this) {
            if (asked) {
                return;
            }
            asked = true;
        }
        try {
            thread.execute(this::pass);
        } catch (java.util.concurrent.RejectedExecutionException closed) {
            // stopping: the next start publishes what is left
        }
    }

    private void pass() {
        synchronized (this) {
            asked = false;
        }
        try {
            if (acknowledged < 0) {
                acknowledged = positions.load(NAME).orElse(0);
            }
            List<Checkpoint> pending;
            do {
                pending = table.after(acknowledged, BATCH);
                for (Checkpoint checkpoint : pending) {
                    sink.apply(checkpoint).toCompletableFuture().get(ACK_LIMIT.toMillis(), TimeUnit.MILLISECONDS);
                    positions.save(NAME, checkpoint.position(), clock.instant());
                    acknowledged = checkpoint.position();
                }
            } while (pending.size() == BATCH);
            if (!lastProblem.isEmpty()) {
                LOG.infof("relay %s: publishing again, acknowledged up to checkpoint %d", NAME, acknowledged);
                lastProblem = "";
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (Exception e) {
            String problem = e.getClass().getSimpleName() + ": " + e.getMessage();
            if (!problem.equals(lastProblem)) {
                LOG.warnf("relay %s: publish after checkpoint %d: %s; trying again in %d s", NAME, acknowledged,
                        problem, RETRY_AFTER.toSeconds());
                lastProblem = problem;
            }
            try {
                thread.schedule(this::publishPending, RETRY_AFTER.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException closed) {
                // stopping
            }
        }
    }

    /** Stops; a checkpoint not acknowledged yet is published at the next start. */
    @Override
    public void close() {
        thread.shutdownNow();
    }
}
