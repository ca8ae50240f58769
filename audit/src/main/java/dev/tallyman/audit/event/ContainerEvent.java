package dev.tallyman.audit.event;

import java.time.Instant;

/** Everything that happens to one container, in stream {@code container-<id>}. */
public sealed interface ContainerEvent extends Event {

    String containerId();

    @EventType("container.create-requested")
    record ContainerCreateRequested(String containerId, String name, ContainerSpec spec) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerCreated.class, ContainerCreateFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerCreateFailed(containerId, reason);
        }
    }

    /** The writable layer exists; the container can be started. */
    @EventType("container.created")
    record ContainerCreated(String containerId) implements ContainerEvent {
    }

    @EventType("container.create-failed")
    record ContainerCreateFailed(String containerId, String reason) implements ContainerEvent {
    }

    @EventType("container.start-requested")
    record ContainerStartRequested(String containerId) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerStarted.class, ContainerStartFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerStartFailed(containerId, 128, reason);
        }
    }

    @EventType("container.started")
    record ContainerStarted(String containerId, long pid, Instant startedAt) implements ContainerEvent {
    }

    /** The process never ran; exitCode is Docker's: 126 not executable, 127 not found, 128 other. */
    @EventType("container.start-failed")
    record ContainerStartFailed(String containerId, int exitCode, String reason) implements ContainerEvent {
    }

    /** A fact from the runtime: the container's process ended. */
    @EventType("container.died")
    record ContainerDied(String containerId, int exitCode, boolean oomKilled, Instant finishedAt) implements ContainerEvent {
    }

    @EventType("container.kill-requested")
    record ContainerKillRequested(String containerId, String signal) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerKilled.class, ContainerKillFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerKillFailed(containerId, signal, reason);
        }
    }

    @EventType("container.killed")
    record ContainerKilled(String containerId, String signal) implements ContainerEvent {
    }

    @EventType("container.kill-failed")
    record ContainerKillFailed(String containerId, String signal, String reason) implements ContainerEvent {
    }

    @EventType("container.stop-requested")
    record ContainerStopRequested(String containerId, int timeoutSeconds) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerStopped.class, ContainerStopFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerStopFailed(containerId, reason);
        }
    }

    @EventType("container.stopped")
    record ContainerStopped(String containerId) implements ContainerEvent {
    }

    @EventType("container.stop-failed")
    record ContainerStopFailed(String containerId, String reason) implements ContainerEvent {
    }

    @EventType("container.renamed")
    record ContainerRenamed(String containerId, String oldName, String newName) implements ContainerEvent {
    }

    /**
     * docker rm --link: the linking container ({@code containerId}) is to forget the link known as {@code alias}.
     * The link belongs to the container's create intent, so taking it away is a command of its own.
     */
    @EventType("container.link-remove-requested")
    record ContainerLinkRemoveRequested(String containerId, String alias) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerLinkRemoved.class, ContainerLinkRemoveFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerLinkRemoveFailed(containerId, alias, reason);
        }
    }

    /** The link is gone: inspect no longer shows it and the next start neither resolves nor exports it. */
    @EventType("container.link-removed")
    record ContainerLinkRemoved(String containerId, String alias) implements ContainerEvent {
    }

    @EventType("container.link-remove-failed")
    record ContainerLinkRemoveFailed(String containerId, String alias, String reason) implements ContainerEvent {
    }

    /** The restart policy will start the container again; attempt counts from 1 (Docker's RestartCount). */
    /**
     * docker update: new limits and restart policy, in full (what the container has after the update). Intent
     * before the cgroup is changed.
     */
    @EventType("container.update-requested")
    record ContainerUpdateRequested(String containerId, ContainerSpec.ContainerLimits limits,
                                    ContainerSpec.RestartPolicy restartPolicy) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerUpdated.class, ContainerUpdateFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerUpdateFailed(containerId, reason);
        }
    }

    /** The update applied: a running container's cgroup has the limits; the spec has them for the next start. */
    @EventType("container.updated")
    record ContainerUpdated(String containerId, ContainerSpec.ContainerLimits limits,
                            ContainerSpec.RestartPolicy restartPolicy) implements ContainerEvent {
    }

    @EventType("container.update-failed")
    record ContainerUpdateFailed(String containerId, String reason) implements ContainerEvent {
    }

    /**
     * A probe changed the container's health: its status, or its count of failures in a row. Actor: Tallyman's
     * health checker. Probes that change nothing are not recorded.
     *
     * @param exitCode the probe's exit code (-1: it ran out of time or could not run)
     * @param output what the probe printed, cut to 4 KiB as Docker keeps it
     */
    @EventType("container.health-changed")
    record ContainerHealthChanged(String containerId, String status, String previousStatus, int failingStreak,
                                  int exitCode, String output, Instant probeStart, Instant probeEnd)
            implements ContainerEvent {
    }

    @EventType("container.restart-scheduled")
    record ContainerRestartScheduled(String containerId, int attempt, long delayMillis) implements ContainerEvent {
    }

    @EventType("container.pause-requested")
    record ContainerPauseRequested(String containerId) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerPaused.class, ContainerPauseFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerPauseFailed(containerId, reason);
        }
    }

    @EventType("container.paused")
    record ContainerPaused(String containerId) implements ContainerEvent {
    }

    @EventType("container.unpause-requested")
    record ContainerUnpauseRequested(String containerId) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerUnpaused.class, ContainerPauseFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerPauseFailed(containerId, reason);
        }
    }

    @EventType("container.unpaused")
    record ContainerUnpaused(String containerId) implements ContainerEvent {
    }

    @EventType("container.pause-failed")
    record ContainerPauseFailed(String containerId, String reason) implements ContainerEvent {
    }

    /** A fact from the runtime: the kernel's OOM killer hit the container; its death follows. */
    @EventType("container.oom")
    record ContainerOomKilled(String containerId) implements ContainerEvent {
    }

    /** The container's filesystem was written out for the caller (docker export); nothing changed. */
    @EventType("container.exported")
    record ContainerExported(String containerId) implements ContainerEvent {
    }

    /** Files were copied into the container (docker cp to a container). */
    @EventType("container.copied-in")
    record ContainerCopiedIn(String containerId, String path) implements ContainerEvent {
    }

    /** docker cp into the container, before the first byte is written: who wrote where. */
    @EventType("container.copy-in-requested")
    record ContainerCopyInRequested(String containerId, String path) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerCopiedIn.class, ContainerCopyFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerCopyFailed(containerId, path, reason);
        }
    }

    /**
     * docker cp out of the container, before the first byte leaves: auditors ask who took data out, so this
     * read is on the record with its outcome.
     */
    @EventType("container.copy-out-requested")
    record ContainerCopyOutRequested(String containerId, String path) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerCopiedOut.class, ContainerCopyFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerCopyFailed(containerId, path, reason);
        }
    }

    /** The archive of {@code path} was written out to the caller, {@code bytes} long. */
    @EventType("container.copied-out")
    record ContainerCopiedOut(String containerId, String path, long bytes) implements ContainerEvent {
    }

    /** A copy in or out ended without its effect, or with only part of it (the caller went away). */
    @EventType("container.copy-failed")
    record ContainerCopyFailed(String containerId, String path, String reason) implements ContainerEvent {
    }

    /** docker export, before the first byte of the container's file system leaves. */
    @EventType("container.export-requested")
    record ContainerExportRequested(String containerId) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerExported.class, ContainerExportFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerExportFailed(containerId, reason);
        }
    }

    @EventType("container.export-failed")
    record ContainerExportFailed(String containerId, String reason) implements ContainerEvent {
    }

    /**
     * The terminal of the container ({@code execId} empty) or of one of its execs is to get this size (a
     * client's window changed); the process sees SIGWINCH.
     */
    @EventType("container.resize-requested")
    record ContainerResizeRequested(String containerId, String execId, int height, int width)
            implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerResized.class, ContainerResizeFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerResizeFailed(containerId, execId, reason);
        }
    }

    @EventType("container.resized")
    record ContainerResized(String containerId, String execId, int height, int width) implements ContainerEvent {
    }

    @EventType("container.resize-failed")
    record ContainerResizeFailed(String containerId, String execId, String reason) implements ContainerEvent {
    }

    /** An exec instance was made (docker exec's first call); it runs when started. */
    @EventType("container.exec-created")
    record ContainerExecCreated(String containerId, String execId, java.util.List<String> command, String user, boolean tty)
            implements ContainerEvent {
        public ContainerExecCreated {
            command = java.util.List.copyOf(command);
        }
    }

    /** A client attached to the container's streams: who watched, and whether it could type into it. */
    @EventType("container.attached")
    record ContainerAttached(String containerId, boolean stdin) implements ContainerEvent {
    }

    /**
     * docker exec start, before the process is started in the container: who ran what, as which user. Runs beside
     * the container's life (several at once), so it never makes the container busy.
     */
    @EventType("container.exec-start-requested")
    record ContainerExecStartRequested(String containerId, String execId, java.util.List<String> command, String user,
                                       boolean tty) implements ContainerEvent, Intent {
        public ContainerExecStartRequested {
            command = java.util.List.copyOf(command);
        }

        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerExecStarted.class, ContainerExecStartFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerExecStartFailed(containerId, execId, reason);
        }
    }

    /** The exec's process could not be started; {@code exec-died} follows with the code the caller saw. */
    @EventType("container.exec-start-failed")
    record ContainerExecStartFailed(String containerId, String execId, String reason) implements ContainerEvent {
    }

    /** The exec's process runs (appended once it does, after its {@code exec-start-requested}). */
    @EventType("container.exec-started")
    record ContainerExecStarted(String containerId, String execId, java.util.List<String> command, String user, boolean tty)
            implements ContainerEvent {
        public ContainerExecStarted {
            command = java.util.List.copyOf(command);
        }
    }

    @EventType("container.exec-died")
    record ContainerExecDied(String containerId, String execId, int exitCode) implements ContainerEvent {
    }

    @EventType("container.remove-requested")
    record ContainerRemoveRequested(String containerId, boolean force) implements ContainerEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ContainerRemoved.class, ContainerRemoveFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ContainerRemoveFailed(containerId, reason);
        }
    }

    @EventType("container.removed")
    record ContainerRemoved(String containerId) implements ContainerEvent {
    }

    @EventType("container.remove-failed")
    record ContainerRemoveFailed(String containerId, String reason) implements ContainerEvent {
    }
}
