package dev.tallyman.runtime.exec;

import dev.tallyman.runtime.attach.ContainerFixture;

import java.io.IOException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Containers from a {@link ContainerFixture} plus execs in them, for the exec and top ITs. Remembers every exec id
 * and exec conmon, so {@link #removeAll} cleans up by id and pid even after a failed test.
 */
public final class ExecFixture implements AutoCloseable {
    public final ContainerFixture containers;
    public final ExecRuntime execs;
    private final Set<String> execIds = new LinkedHashSet<>();

    private ExecFixture(ContainerFixture containers) {
        this.containers = containers;
        this.execs = new ExecRuntime(containers.runtime);
    }

    /** Fails (never skips) without root, runc or conmon. */
    public static ExecFixture create() throws IOException {
        return new ExecFixture(ContainerFixture.create());
    }

    /** A fresh exec id, removed at the end. */
    public String newExecId() {
        return remember("exec-" + Long.toHexString(ThreadLocalRandom.current().nextLong()));
    }

    /** Starts the exec; its files and its conmon are cleaned up at the end, even when the start fails. */
    public ExecProcess exec(String containerId, String execId, ExecSpec spec) {
        remember(execId);
        ExecProcess process = execs.exec(containerId, execId, spec);
        containers.remember(process.conmonPid());
        return process;
    }

    private String remember(String execId) {
        execIds.add(execId);
        return execId;
    }

    /**
     * Deletes the containers first: that kills their exec'd processes, so each exec's conmon exits and its files
     * can go. Returns what was left behind.
     */
    public List<String> removeAll() {
        List<String> problems = new ArrayList<>(containers.removeAll());
        for (String execId : execIds) {
            try {
                execs.remove(execId);
            } catch (RuntimeException e) {
                problems.add(execId + ": " + e.getMessage());
            }
        }
        execIds.clear();
        return problems;
    }

    @Override
    public void close() throws IOException {
        containers.close();
    }
}
