package dev.tallyman.host.reconcile;

import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.OpenIntentLedger;
import dev.tallyman.runtime.ContainerRuntime;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * The reconciler while the service runs. A command closes its own intents even when it fails (see
 * {@link Journal#command}), so what this finds is rarer: an intent whose closing append failed (the database was
 * away for a moment), one appended by background work outside any command, or a runc container that appeared
 * behind Tallyman's back. Each pass:
 * <ul>
 *   <li>closes every intent older than the grace period in a stream where no running command has one open, as
 *       the boot reconciler would (for a container, the machine decides the outcome);</li>
 *   <li>removes a runc container no container on the record owns, once it has been seen in two passes in a row
 *       (a container being created right now is on the record before runc knows it, but the second look makes
 *       sure a race never kills one), recording the removal with its reason.</li>
 * </ul>
 */
public final class PeriodicReconciler implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(PeriodicReconciler.class);

    private final Journal journal;
    private final BootReconciler reconciler;
    private final ContainerRuntime runtime;
    private final Clock clock;
    private final Duration grace;
    private final ScheduledExecutorService thread = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "tallyman-reconcile");
        t.setDaemon(true);
        return t;
    });
    // only touched on the reconcile thread
    private Set<String> unownedLastPass = Set.of();

    public PeriodicReconciler(Journal journal, BootReconciler reconciler, ContainerRuntime runtime, Clock clock,
                              Duration grace) {
        this.journal = journal;
        this.reconciler = reconciler;
        this.runtime = runtime;
        this.clock = clock;
        this.grace = grace;
    }

    public void start(Duration every) {
        thread.scheduleWithFixedDelay(this::passQuietly, every.toMillis(), every.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void passQuietly() {
        try {
            pass();
        } catch (RuntimeException e) {
            // the next pass tries again; a failing pass must not end the schedule
            LOG.errorf(e, "periodic reconcile: %s", e.getMessage());
        }
    }

    /** One pass; public for tests that want it now rather than at the next tick. */
    public void pass() {
        closeStaleIntents();
        removeUnownedContainers();
    }

    private void closeStaleIntents() {
        Instant before = clock.instant().minus(grace);
        Set<StreamId> stale = new LinkedHashSet<>();
        for (OpenIntentLedger.Entry entry : journal.projections().read(p -> p.openIntents().all())) {
            if (entry.occurredAt().isBefore(before)) {
                stale.add(new StreamId(entry.stream()));
            }
        }
        String reason = "no outcome " + grace.toSeconds() + " s after the intent, and no command running it";
        for (StreamId stream : stale) {
            if (journal.running(stream)) {
                continue;
            }
            LOG.warnf("periodic reconcile: closing the open intents of %s", stream);
            String value = stream.value();
            if (value.startsWith("container-")) {
                reconciler.reconcileContainer(value.substring("container-".length()), reason);
            } else {
                reconciler.closeEveryOpen(stream, reason);
            }
        }
    }

    private void removeUnownedContainers() {
        Set<String> known = new HashSet<>(journal.projections().read(p -> p.containers().all().stream()
                .map(ContainerView::id).toList()));
        Set<String> unowned = new HashSet<>();
        for (String id : runtime.list()) {
            if (!known.contains(id)) {
                unowned.add(id);
            }
        }
        for (String id : List.copyOf(unowned)) {
            if (unownedLastPass.contains(id)) {
                reconciler.removeOrphanContainer(id, "no container on the record owns it (seen in two passes)");
                unowned.remove(id);
            }
        }
        unownedLastPass = unowned;
    }

    @Override
    public void close() {
        thread.shutdownNow();
    }
}
