package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerStopFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerStopRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStopped;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.runtime.ContainerRuntime;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * docker stop: the stop signal (SIGTERM unless the container says otherwise), then SIGKILL after the timeout,
 * and returns once the death is on the record.
 */
public final class StopContainerHandler {
    static final int DEFAULT_TIMEOUT_SECONDS = 10;
    private static final String START_REQUESTED = "container.start-requested";
    /** Longest wait for a start already under way (a restart by policy) before stopping what it made. */
    private static final java.time.Duration START_WAIT = java.time.Duration.ofSeconds(30);

    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerRuntime runtime;
    private final ContainerWaits waits;

    public StopContainerHandler(Journal journal, ContainerFinder finder, ContainerRuntime runtime, ContainerWaits waits) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
        this.waits = waits;
    }

    /**
     * A restart by policy may be starting the container right now: the stop waits for that start's outcome and
     * then stops what it made, as Docker's does, instead of answering "already stopped" to a container that is
     * about to run.
     */
    private ContainerView afterStartInFlight(ContainerView view) {
        long deadline = System.nanoTime() + START_WAIT.toNanos();
        ContainerView now = view;
        while (now.pendingIntent().equals(START_REQUESTED) && System.nanoTime() < deadline) {
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
            now = finder.byId(view.id()).orElse(now);
        }
        return now;
    }

    /**
     * @param timeoutSeconds seconds before SIGKILL; empty for the container's --stop-timeout, else 10
     * @param signalText the first signal; empty for the container's stop signal (its own or its image's), else SIGTERM
     */
    public void handle(String reference, java.util.Optional<Integer> timeoutSeconds, String signalText, CommandContext context) {
        Projections projections = journal.projections();
        ContainerView view = afterStartInFlight(finder.require(reference));
        String stopSignal = signalText != null && !signalText.isEmpty() ? signalText
                : view.spec().stopSignal().isEmpty() ? "TERM" : view.spec().stopSignal();
        int signal = Signals.parse(stopSignal);
        int timeout = timeoutSeconds.orElse(view.spec().stopTimeout() >= 0 ? view.spec().stopTimeout() : DEFAULT_TIMEOUT_SECONDS);
        boolean restartComing = view.state() == dev.tallyman.host.projections.ContainerState.EXITED
                && RestartPolicies.wantsRestart(view, view.exitCode());
        if (view.state() == dev.tallyman.host.projections.ContainerState.RESTARTING || restartComing) {
            // Waiting for its restart (or its death is recorded and the restart about to be scheduled): stopping
            // means the restart never happens.
            journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopRequested(view.id(), timeout), context);
            journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopped(view.id()), context);
            return;
        }
        if (!view.isRunning()) {
            throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already stopped");
        }
        CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, view.id(), ContainerWaits.Condition.NOT_RUNNING);
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopRequested(view.id(), timeout), context);
        try {
            signal(view, signal);
            if (!awaitExit(exit, timeout)) {
                signal(view, 9);
                if (!awaitExit(exit, 30)) {
                    throw new IllegalStateException("process did not die after SIGKILL");
                }
            }
        } catch (RuntimeException e) {
            journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopFailed(view.id(), e.getMessage()), context);
            throw EngineException.system("stop container " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopped(view.id()), context);
    }

    /**
     * Sends a signal; a process that died meanwhile (another stop, an rm -f, its own exit) is what stop wants
     * anyway, so "not running" is no failure: the exit recorder puts that death on the record.
     */
    private void signal(ContainerView view, int signal) {
        try {
            runtime.kill(view.id(), signal, signal == 9);
            if (view.state() == dev.tallyman.host.projections.ContainerState.PAUSED) {
                // A frozen process cannot act on a signal: thaw it, as Docker does.
                runtime.resume(view.id());
            }
        } catch (RuntimeException e) {
            boolean gone = runtime.state(view.id()).map(s -> s.status() == dev.tallyman.runtime.RuncState.Status.STOPPED).orElse(true);
            if (!gone) {
                throw e;
            }
        }
    }

    /** Negative timeouts wait for ever, as in Docker. */
    private static boolean awaitExit(CompletableFuture<ContainerWaits.Exit> exit, int seconds) {
        try {
            if (seconds < 0) {
                exit.get();
            } else {
                exit.get(seconds, TimeUnit.SECONDS);
            }
            return true;
        } catch (TimeoutException e) {
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (java.util.concurrent.ExecutionException e) {
            return true;
        }
    }
}
