package dev.tallyman.host.commands.containers;

import dev.tallyman.runtime.ExitStatus;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The outbox of container exits that could not be recorded because the event store was down: each is tried
 * again every second until it is on the record. The exit keeps the time conmon wrote in its exit file, so the
 * record shows when the process really ended, not when the database came back.
 *
 * <p>Bounded and in memory: at most {@link #LIMIT} exits wait. One dropped beyond that, or lost with the
 * service, is not lost for the record: the boot reconciler reads every conmon exit file at the next start and
 * records the deaths the record lacks, with the same time.
 */
final class ExitRetries implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ExitRetries.class);
    static final int LIMIT = 10_000;
    private static final long RETRY_MILLIS = 1000;

    private final Set<String> waiting = ConcurrentHashMap.newKeySet();
    private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "container-exit-retries");
        t.setDaemon(true);
        return t;
    });

    /**
     * Schedules {@code retry} of {@code status} a second from now.
     *
     * @return false when the outbox is full: the exit is left to the boot reconciler
     */
    boolean later(ExitStatus status, Runnable retry) {
        String key = status.id() + "/" + status.finishedAt();
        if (!waiting.contains(key) && waiting.size() >= LIMIT) {
            LOG.errorf("record exit of container %s: %d exits already wait for the event store; left to the next boot",
                    status.id(), LIMIT);
            return false;
        }
        waiting.add(key);
        timer.schedule(() -> {
            waiting.remove(key);
            retry.run();
        }, RETRY_MILLIS, TimeUnit.MILLISECONDS);
        return true;
    }

    @Override
    public void close() {
        timer.shutdownNow();
    }
}
