package dev.tallyman.host.commands.containers;

import dev.tallyman.audit.event.ContainerEvent.ContainerExecDied;
import dev.tallyman.audit.event.ContainerEvent.ContainerExecStartFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerExecStartRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerExecStarted;
import dev.tallyman.audit.event.ContainerEvent.ContainerResizeFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerResizeRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerResized;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.exec.ExecProcess;
import dev.tallyman.runtime.exec.ExecRuntime;
import dev.tallyman.runtime.exec.ExecSpec;
import dev.tallyman.runtime.exec.ExecStartException;
import java.time.Duration;
import java.util.List;
import java.util.OptionalInt;

/** docker exec: create an instance, then start it in the running container, its start and end on the record. */
public final class ExecHandler {
    private final Journal journal;
    private final ContainerFinder finder;
    private final ExecRuntime runtime;
    private final ExecInstances instances;

    public ExecHandler(Journal journal, ContainerFinder finder, ExecRuntime runtime, ExecInstances instances) {
        this.journal = journal;
        this.finder = finder;
        this.runtime = runtime;
        this.instances = instances;
    }

    public ExecInstances.Instance create(String reference, List<String> command, List<String> env, String user,
                                         String workingDir, boolean tty, boolean stdin, boolean stdout, boolean stderr,
                                         String detachKeys, CommandContext context) {
        ContainerView c = finder.require(reference);
        if (c.state() == ContainerState.PAUSED) {
            throw EngineException.conflict("Container " + c.id() + " is paused, unpause the container before exec");
        }
        if (!c.isRunning()) {
            throw EngineException.conflict("container " + c.id() + " is not running");
        }
        if (command == null || command.isEmpty()) {
            throw EngineException.invalid("No exec command specified");
        }
        ExecInstances.Instance instance = instances.create(c.id(), command, env == null ? List.of() : env,
                user == null ? "" : user, workingDir == null ? "" : workingDir, tty, stdin, stdout, stderr,
                detachKeys == null ? "" : detachKeys);
        journal.append(StreamId.container(c.id()), ExpectedVersion.any(),
                new dev.tallyman.audit.event.ContainerEvent.ContainerExecCreated(c.id(), instance.id, instance.command,
                        instance.user, instance.tty), context);
        return instance;
    }

    public ExecInstances.Instance require(String execId) {
        return instances.find(execId).orElseThrow(() -> EngineException.notFound("No such exec instance: " + execId));
    }

    /**
     * Starts the instance; the process runs when this returns.
     *
     * @throws ExecStartException with Docker's text when the process cannot start (the caller decides where the
     *         text goes: into the attached stream, or as the error of a detached start)
     */
    public ExecProcess start(ExecInstances.Instance instance, boolean detach, CommandContext context) {
        ContainerView c = checkStartable(instance);
        ExecSpec spec = new ExecSpec(instance.command, instance.env, instance.user, instance.workingDir, instance.tty,
                instance.attachStdin && !detach, detach);
        StreamId stream = StreamId.container(c.id());
        journal.append(stream, ExpectedVersion.any(), new ContainerExecStartRequested(c.id(), instance.id,
                instance.command, instance.user, instance.tty), context);
        ExecProcess process;
        try {
            process = runtime.exec(c.id(), instance.id, spec);
        } catch (ExecStartException e) {
            journal.append(stream, ExpectedVersion.any(), new ContainerExecStartFailed(c.id(), instance.id,
                    String.valueOf(e.getMessage())), context);
            finished(instance, e.exitCode(), context);
            throw e;
        } catch (ContainerRuntimeException e) {
            journal.append(stream, ExpectedVersion.any(), new ContainerExecStartFailed(c.id(), instance.id,
                    String.valueOf(e.getMessage())), context);
            finished(instance, 126, context);
            throw EngineException.system("exec in container " + c.id() + ": " + e.getMessage(), e).onRecord();
        }
        instance.pid = process.pid();
        instance.running = true;
        journal.append(stream, ExpectedVersion.any(),
                new ContainerExecStarted(c.id(), instance.id, instance.command, instance.user, instance.tty), context);
        return process;
    }

    /**
     * Refuses a start that cannot happen (run before, container not running), so an attached start can answer
     * with an HTTP error before it upgrades the connection.
     */
    public ContainerView checkStartable(ExecInstances.Instance instance) {
        if (instance.running || instance.exitCode != null) {
            throw EngineException.conflict("Exec command " + instance.id + " has already run");
        }
        return finder.byId(instance.containerId).filter(ContainerView::isRunning)
                .orElseThrow(() -> EngineException.conflict("container " + instance.containerId + " is not running"));
    }

    /** Waits for the exit code conmon writes and puts it on the record. */
    public int awaitExit(ExecInstances.Instance instance, Duration timeout, CommandContext context) {
        OptionalInt code = runtime.awaitExit(instance.id, timeout);
        int exit = code.orElse(-1);
        finished(instance, exit, context);
        return exit;
    }

    private void finished(ExecInstances.Instance instance, int exitCode, CommandContext context) {
        instance.running = false;
        instance.exitCode = exitCode;
        journal.append(StreamId.container(instance.containerId), ExpectedVersion.any(),
                new ContainerExecDied(instance.containerId, instance.id, exitCode), context);
    }

    /** The exec's terminal gets {@code rows} x {@code columns}; like the container's, on the record. */
    public void resize(ExecInstances.Instance instance, int rows, int columns, CommandContext context) {
        StreamId stream = StreamId.container(instance.containerId);
        journal.append(stream, ExpectedVersion.any(),
                new ContainerResizeRequested(instance.containerId, instance.id, rows, columns), context);
        try {
            runtime.resize(instance.id, rows, columns);
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(),
                    new ContainerResizeFailed(instance.containerId, instance.id, e.getMessage()), context);
            throw EngineException.system("resize exec " + instance.id + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(stream, ExpectedVersion.any(),
                new ContainerResized(instance.containerId, instance.id, rows, columns), context);
    }
}
