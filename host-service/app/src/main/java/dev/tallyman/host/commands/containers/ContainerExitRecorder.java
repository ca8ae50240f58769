package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerDied;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.runtime.ExitStatus;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.jboss.logging.Logger;

/**
 * Puts the runtime's facts on the record: when conmon reports that a container's process ended, appends
 * ContainerDied (actor: Tallyman's runtime), takes the container's pieces apart, and removes --rm containers.
 *
 * <p>A fast process can end before its start is on the record; such an exit waits here until
 * {@link #started} says the ContainerStarted event is written, so the stream always reads started, then died.
 * Exits of one container are handled on one thread, in arrival order; different containers' exits are handled
 * side by side (a few threads, picked by container id), so fifty deaths at once do not queue behind each other.
 */
public final class ContainerExitRecorder implements AutoCloseable {
    private static final Logger LOG = Logger.getLogger(ContainerExitRecorder.class);
    private static final String START_REQUESTED = "container.start-requested";

    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerLauncher launcher;
    private final AutoRemover autoRemover;
    private static final int WORKERS = 4;
    private final ExecutorService[] workers = new ExecutorService[WORKERS];
    private final Map<String, ExitStatus> early = new java.util.concurrent.ConcurrentHashMap<>();
    /** The request that started each run: its death and --rm removal are correlated with it. */
    private final Map<String, java.util.UUID> runRequests = new java.util.concurrent.ConcurrentHashMap<>();

    private final RestartPolicies policies;
    private dev.tallyman.host.commands.volumes.ContainerVolumes volumes;

    /** Docker's volume unmount events for each ended run go on the record through this. */
    public void recordVolumesWith(dev.tallyman.host.commands.volumes.ContainerVolumes containerVolumes) {
        this.volumes = containerVolumes;
    }

    public ContainerExitRecorder(Journal journal, ContainerFinder finder, ContainerLauncher launcher, AutoRemover autoRemover,
                                 RestartPolicies policies) {
        this.policies = policies;
        this.journal = journal;
        this.finder = finder;
        this.launcher = launcher;
        this.autoRemover = autoRemover;
        for (int i = 0; i < WORKERS; i++) {
            String name = "container-exits-" + i;
            workers[i] = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, name);
                t.setDaemon(true);
                return t;
            });
        }
    }

    /** The one thread that handles this container's exits, so they stay in order. */
    private ExecutorService workerOf(String containerId) {
        return workers[Math.floorMod(containerId.hashCode(), WORKERS)];
    }

    /** Called by the runtime's exit watcher, on its thread. */
    public void exited(ExitStatus status) {
        workerOf(status.id()).execute(() -> handle(status));
    }

    /** Called once ContainerStarted is on the record: an exit that came early is recorded now. */
    public void started(String containerId, java.util.UUID startRequest) {
        runRequests.put(containerId, startRequest);
        workerOf(containerId).execute(() -> {
            ExitStatus waiting = early.remove(containerId);
            if (waiting != null) {
                handle(waiting);
            }
        });
    }

    /** Records an exit found at boot (the service was away when it happened), on the caller's thread. */
    public void recordNow(ExitStatus status, CommandContext context) {
        record(status, context);
    }

    private void handle(ExitStatus status) {
        try {
            ContainerView view = finder.byId(status.id()).orElse(null);
            if (view == null) {
                return;
            }
            if (START_REQUESTED.equals(view.pendingIntent())) {
                early.put(status.id(), status);
                return;
            }
            java.util.UUID request = runRequests.get(status.id());
            CommandContext context = request == null ? CommandContext.system("runtime")
                    : new CommandContext(dev.tallyman.audit.store.Actor.system("runtime"), request);
            record(status, context);
            // kept until recorded: a retry after an outage is correlated with the run's request too
            runRequests.remove(status.id(), request);
        } catch (RuntimeException e) {
            if (outage(e) && retries.later(status, () -> workerOf(status.id()).execute(() -> handle(status)))) {
                LOG.warnf("record exit of container %s: %s; retrying until the event store is back", status.id(), e.getMessage());
                return;
            }
            LOG.errorf(e, "record exit of container %s: %s", status.id(), e.getMessage());
        }
    }

    /** Exits seen while the event store is down wait here, with their true time, until it is back. */
    private final ExitRetries retries = new ExitRetries();

    private static boolean outage(Throwable failure) {
        for (Throwable t = failure; t != null; t = t.getCause()) {
            if (t instanceof dev.tallyman.audit.store.EventStoreUnavailableException) {
                return true;
            }
        }
        return false;
    }

    /** Appends the death unless it is already on the record; the check and the append happen under the journal's lock. */
    private void record(ExitStatus status, CommandContext context) {
        // Every line the process wrote reaches the json-file log before its death is on the record, and its
        // pieces are taken apart before: once the death is recorded a start may come (docker restart, a
        // policy), and a teardown still running then would delete what that start just set up.
        finder.byId(status.id()).filter(ContainerExitRecorder::alive).ifPresent(v -> {
            launcher.drainLogs(v.id(), v.spec());
            launcher.teardown(v.id(), v.spec());
        });
        boolean recorded = journal.optimistically(() -> {
            ContainerView view = finder.byId(status.id()).orElse(null);
            boolean alive = view != null && alive(view);
            if (alive) {
                // The exit file's time comes from a coarse file-system clock: never let a run end before it began.
                java.time.Instant finished = view.startedAt().filter(s -> s.isAfter(status.finishedAt())).orElse(status.finishedAt());
                java.util.List<dev.tallyman.audit.event.Event> facts = new java.util.ArrayList<>();
                if (status.oomKilled()) {
                    facts.add(new dev.tallyman.audit.event.ContainerEvent.ContainerOomKilled(status.id()));
                }
                facts.add(new ContainerDied(status.id(), status.exitCode(), status.oomKilled(), finished));
                journal.append(StreamId.container(status.id()), ExpectedVersion.exactly(view.version()), facts, context);
            }
            return alive;
        });
        ContainerView view = finder.byId(status.id()).orElse(null);
        if (!recorded || view == null) {
            return;
        }
        if (volumes != null) {
            volumes.unmounted(view.id(), view.spec().mounts(), context);
        }
        if (view.state() != ContainerState.REMOVING && !policies.afterExit(view.id(), context.correlationId())) {
            autoRemover.afterRun(view.id(), context.correlationId());
        }
    }

    /** The record still has the container's process alive, so a reported exit is news. */
    private static boolean alive(ContainerView view) {
        return view.isRunning() || (view.state() == ContainerState.REMOVING && view.pid() > 0);
    }

    @Override
    public void close() throws InterruptedException {
        retries.close();
        for (ExecutorService worker : workers) {
            worker.shutdown();
        }
        for (ExecutorService worker : workers) {
            worker.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
