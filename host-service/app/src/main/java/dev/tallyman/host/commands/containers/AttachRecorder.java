package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerAttached;
import dev.tallyman.audit.event.ContainerEvent.ContainerResizeFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerResizeRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerResized;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.runtime.attach.ContainerAttach;

/**
 * Puts an attach on the record: who watched a container's output, whether they could type into it, and the
 * terminal sizes they set (a resize signals the container's process, so it is an effect like any other).
 */
public final class AttachRecorder {
    private final Journal journal;
    private final ContainerAttach attach;

    public AttachRecorder(Journal journal, ContainerAttach attach) {
        this.journal = journal;
        this.attach = attach;
    }

    public void attached(String containerId, boolean stdin, CommandContext context) {
        journal.append(StreamId.container(containerId), ExpectedVersion.any(), new ContainerAttached(containerId, stdin), context);
    }

    /** docker resize, and the CLI's resize after attach: the container's terminal gets {@code rows} x {@code columns}. */
    public void resize(String containerId, int rows, int columns, CommandContext context) {
        StreamId stream = StreamId.container(containerId);
        journal.append(stream, ExpectedVersion.any(), new ContainerResizeRequested(containerId, "", rows, columns), context);
        try {
            attach.resize(containerId, rows, columns);
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(), new ContainerResizeFailed(containerId, "", e.getMessage()), context);
            throw EngineException.system("resize container " + containerId + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(stream, ExpectedVersion.any(), new ContainerResized(containerId, "", rows, columns), context);
    }
}
