package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerAttached;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;

/** Puts an attach on the record: who watched a container's output, and whether they could type into it. */
public final class AttachRecorder {
    private final Journal journal;

    public AttachRecorder(Journal journal) {
        this.journal = journal;
    }

    public void attached(String containerId, boolean stdin, CommandContext context) {
        journal.append(StreamId.container(containerId), ExpectedVersion.any(), new ContainerAttached(containerId, stdin), context);
    }
}
