package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerPauseFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerPauseRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerPaused;
import dev.tallyman.audit.event.ContainerEvent.ContainerUnpauseRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerUnpaused;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.runtime.ContainerRuntime;

/** docker pause and unpause: the freezer cgroup through runc, each way an intent and an outcome. */
public final class PauseContainerHandler {
    private final Journal journal;
    private final ContainerFinder finder;
    private final ContainerRuntime runtime;

    public PauseContainerHandler(Journal journal, ContainerFinder finder, ContainerRuntime runtime) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
    }

    public void pause(String reference, CommandContext context) {
        ContainerView c = journal.optimistically(() -> {
            ContainerView found = finder.require(reference);
            if (found.state() == ContainerState.PAUSED) {
                throw EngineException.conflict("Container " + found.id() + " is already paused");
            }
            if (found.state() != ContainerState.RUNNING) {
                throw EngineException.conflict("Container " + found.id() + " is not running");
            }
            journal.append(StreamId.container(found.id()), ExpectedVersion.exactly(found.version()), new ContainerPauseRequested(found.id()), context);
            return found;
        });
        try {
            runtime.pause(c.id());
        } catch (RuntimeException e) {
            journal.append(StreamId.container(c.id()), ExpectedVersion.any(), new ContainerPauseFailed(c.id(), e.getMessage()), context);
            throw EngineException.system("pause container " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(c.id()), ExpectedVersion.any(), new ContainerPaused(c.id()), context);
    }

    public void unpause(String reference, CommandContext context) {
        ContainerView c = journal.optimistically(() -> {
            ContainerView found = finder.require(reference);
            if (found.state() != ContainerState.PAUSED) {
                throw EngineException.conflict("Container " + found.id() + " is not paused");
            }
            journal.append(StreamId.container(found.id()), ExpectedVersion.exactly(found.version()), new ContainerUnpauseRequested(found.id()), context);
            return found;
        });
        try {
            runtime.resume(c.id());
        } catch (RuntimeException e) {
            journal.append(StreamId.container(c.id()), ExpectedVersion.any(), new ContainerPauseFailed(c.id(), e.getMessage()), context);
            throw EngineException.system("unpause container " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.container(c.id()), ExpectedVersion.any(), new ContainerUnpaused(c.id()), context);
    }
}
