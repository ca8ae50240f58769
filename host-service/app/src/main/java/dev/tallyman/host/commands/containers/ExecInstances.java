package dev.tallyman.host.commands.containers;

import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Exec instances between docker's two calls (create, then start) and after, for inspect. Kept in memory, as
 * Docker does; what ran is on the record through ContainerExecStarted and ContainerExecDied.
 */
public final class ExecInstances {

    /** One exec as created and, once started, as it runs. */
    public static final class Instance {
        public final String id;
        public final String containerId;
        public final List<String> command;
        public final List<String> env;
        public final String user;
        public final String workingDir;
        public final boolean tty;
        public final boolean attachStdin;
        public final boolean attachStdout;
        public final boolean attachStderr;
        public final String detachKeys;
        volatile boolean running;
        volatile Integer exitCode;
        volatile int pid;

        Instance(String id, String containerId, List<String> command, List<String> env, String user, String workingDir,
                 boolean tty, boolean attachStdin, boolean attachStdout, boolean attachStderr, String detachKeys) {
            this.id = id;
            this.containerId = containerId;
            this.command = List.copyOf(command);
            this.env = List.copyOf(env);
            this.user = user;
            this.workingDir = workingDir;
            this.tty = tty;
            this.attachStdin = attachStdin;
            this.attachStdout = attachStdout;
            this.attachStderr = attachStderr;
            this.detachKeys = detachKeys;
        }

        public boolean running() {
            return running;
        }

        public OptionalInt exitCode() {
            return exitCode == null ? OptionalInt.empty() : OptionalInt.of(exitCode);
        }

        public int pid() {
            return pid;
        }
    }

    private final Map<String, Instance> byId = new ConcurrentHashMap<>();

    public Instance create(String containerId, List<String> command, List<String> env, String user, String workingDir,
                           boolean tty, boolean attachStdin, boolean attachStdout, boolean attachStderr, String detachKeys) {
        String id = ContainerNames.newId();
        Instance instance = new Instance(id, containerId, command, env, user, workingDir, tty, attachStdin, attachStdout,
                attachStderr, detachKeys);
        byId.put(id, instance);
        return instance;
    }

    public Optional<Instance> find(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    public List<String> idsOf(String containerId) {
        return byId.values().stream().filter(i -> i.containerId.equals(containerId)).map(i -> i.id).toList();
    }

    public void forgetContainer(String containerId) {
        byId.values().removeIf(i -> i.containerId.equals(containerId));
    }
}
