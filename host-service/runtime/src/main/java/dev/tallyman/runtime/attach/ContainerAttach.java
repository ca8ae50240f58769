package dev.tallyman.runtime.attach;

import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.RuntimeConfig;

import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Attaches to containers started by {@link dev.tallyman.runtime.ContainerRuntime} over the same
 * {@link RuntimeConfig}. Holds nothing in memory: a new instance (after a restart of the service) attaches to
 * containers an earlier one started, since conmon keeps their stdio.
 */
public final class ContainerAttach {
    private final Path socketDir;

    public ContainerAttach(RuntimeConfig config) {
        // ContainerRuntime's layout: conmon links sockets/<id> to the bundle, where its attach socket and fifos are.
        this.socketDir = config.stateDir().resolve("sockets");
    }

    /**
     * Connects to the container's conmon. Works from "created" on, so attaching before {@code start} misses no
     * output; after the container has exited there is nothing to attach to.
     *
     * @throws ContainerRuntimeException when no conmon of ours serves the id (never created, exited or deleted)
     */
    public AttachSession open(String id) {
        Path link = socketDir.resolve(id);
        if (!Files.exists(link.resolve("attach"))) {
            throw new ContainerRuntimeException("attach container " + id + ": no attach socket (container not running)");
        }
        try {
            return AttachSession.open(link);
        } catch (ContainerRuntimeException e) {
            throw new ContainerRuntimeException("attach container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Sets the size of the container's terminal (Docker's {@code POST /containers/{id}/resize}).
     *
     * @throws ContainerRuntimeException when the container's conmon is gone
     */
    public void resize(String id, int rows, int columns) {
        TerminalSize.set(socketDir.resolve(id), rows, columns);
    }
}
