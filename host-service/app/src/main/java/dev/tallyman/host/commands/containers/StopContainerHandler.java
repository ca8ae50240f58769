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

    public void handle(String reference, int timeoutSeconds, String signalText, CommandContext context) {
        int signal = Signals.parse(signalText == null || signalText.isEmpty() ? "TERM" : signalText);
        Projections projections = journal.projections();
        ContainerView view = finder.require(reference);
        if (!view.isRunning()) {
            throw new EngineException(EngineException.Kind.NOT_MODIFIED, "container already stopped");
        }
        CompletableFuture<ContainerWaits.Exit> exit = waits.register(projections, view.id(), ContainerWaits.Condition.NOT_RUNNING);
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopRequested(view.id(), timeoutSeconds), context);
        try {
            runtime.kill(view.id(), signal, false);
            if (!awaitExit(exit, timeoutSeconds)) {
                runtime.kill(view.id(), 9, true);
                if (!awaitExit(exit, 30)) {
                    throw new IllegalStateException("process did not die after SIGKILL");
                }
            }
        } catch (RuntimeException e) {
            if (!exit.isDone()) {
                journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopFailed(view.id(), e.getMessage()), context);
                throw EngineException.system("stop container " + reference + ": " + e.getMessage(), e).onRecord();
            }
        }
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(), new ContainerStopped(view.id()), context);
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
