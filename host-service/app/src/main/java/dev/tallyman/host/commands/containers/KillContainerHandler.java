package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerKillFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerKillRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerKilled;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.runtime.ContainerRuntime;

/** docker kill: sends a signal to the container's process; the death that may follow is recorded by the exit recorder. */
public final class KillContainerHandler {
    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerRuntime runtime;

    private dev.tallyman.host.projections.ContainerWaits waits;

    public KillContainerHandler(Journal journal, ContainerFinder finder, ContainerRuntime runtime) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
    }

    /**
     * Docker's kill with SIGKILL returns only once the container is no longer running (daemon/kill.go waits for
     * it), so a client's next inspect sees it exited with 137 and a next rm is not refused. Wired by the engine.
     */
    public void awaitDeathsWith(dev.tallyman.host.projections.ContainerWaits containerWaits) {
        this.waits = containerWaits;
    }

    public void handle(String reference, String signalText, CommandContext context) {
        int signal = Signals.parse(signalText == null || signalText.isEmpty() ? "KILL" : signalText);
        java.util.concurrent.CompletableFuture<?>[] death = new java.util.concurrent.CompletableFuture<?>[1];
        ContainerView view = journal.optimistically(() -> {
            ContainerView found = finder.require(reference);
            if (!found.isRunning()) {
                throw EngineException.conflict("cannot kill container: " + reference + ": container " + found.id() + " is not running");
            }
            if (signal == 9 && waits != null) {
                death[0] = waits.register(journal.projections(), found.id(), dev.tallyman.host.projections.ContainerWaits.Condition.NOT_RUNNING);
            }
            journal.append(StreamId.container(found.id()), ExpectedVersion.exactly(found.version()),
                    new ContainerKillRequested(found.id(), Integer.toString(signal)), context);
            return found;
        });
        try {
            runtime.kill(view.id(), signal, false);
        } catch (RuntimeException e) {
            journal.append(StreamId.container(view.id()), ExpectedVersion.any(),
                    new ContainerKillFailed(view.id(), Integer.toString(signal), e.getMessage()), context);
            throw EngineException.system("kill container " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(view.id()), ExpectedVersion.any(),
                new ContainerKilled(view.id(), Integer.toString(signal)), context);
        if (death[0] != null) {
            try {
                death[0].get(10, java.util.concurrent.TimeUnit.SECONDS);
            } catch (java.util.concurrent.TimeoutException e) {
                throw EngineException.system("kill container " + reference + ": still running 10 s after SIGKILL", e);
            } catch (java.util.concurrent.ExecutionException e) {
                throw EngineException.system("kill container " + reference + ": " + e.getCause().getMessage(), e);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw EngineException.system("kill container " + reference + ": interrupted", e);
            }
        }
    }
}
