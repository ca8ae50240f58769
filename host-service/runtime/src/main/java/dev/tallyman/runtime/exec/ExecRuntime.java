package dev.tallyman.runtime.exec;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.sun.jna.Native;
import dev.tallyman.runtime.Backoff;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.ConmonLauncher;
import dev.tallyman.runtime.HostProcess;
import dev.tallyman.runtime.RuncLog;
import dev.tallyman.runtime.RuncState;
import dev.tallyman.runtime.RuntimeConfig;
import dev.tallyman.runtime.StateFiles;
import dev.tallyman.runtime.attach.AttachSession;
import dev.tallyman.runtime.attach.TerminalSize;
import dev.tallyman.runtime.oci.SpecificationException;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Runs processes in running containers ({@code docker exec}) with conmon's exec mode: a conmon per exec holds the
 * process' stdio (pipes, or the terminal's master) and writes its exit code to a file, so an exec, like a
 * container, outlives this JVM and its exit code can be read after a restart.
 *
 * <p>Files of an exec live in {@code <stateDir>/execs/<execId>/}: process.json, pid files, runc's log, conmon's
 * attach socket and fifos, and {@code exit} (the exit code) once the process has ended. conmon links
 * {@code <stateDir>/exec-sockets/<execId>} to that directory to keep the socket path short.
 *
 * <p>An attached exec must not lose its first output, and conmon only relays output to clients connected at the
 * time. So conmon runs with {@code --exec-attach} and a start pipe (the fifo {@code start}, which conmon reads
 * as its fd 3): it waits once before it forks, and its runc child waits again until we have connected.
 */
public final class ExecRuntime {
    private static final Duration START_TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final Pattern EXEC_ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.-]{0,127}");
    /** sh opens the start fifo as fd 3 and points the attach pipe (whose message we do not need) at /dev/null. */
    private static final String START_PIPE_WRAPPER = "exec \"$@\" 3<\"$0\" 4>/dev/null";

    private final ContainerRuntime runtime;
    private final RuntimeConfig config;
    private final Path execsDir;
    private final Path socketDir;

    /** Makes the exec state directories if missing. */
    public ExecRuntime(ContainerRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
        this.execsDir = config.stateDir().resolve("execs");
        this.socketDir = config.stateDir().resolve("exec-sockets");
        try {
            Files.createDirectories(execsDir);
            Files.createDirectories(socketDir);
        } catch (IOException e) {
            throw new UncheckedIOException("create exec state in " + config.stateDir() + ": " + e.getMessage(), e);
        }
    }

    /**
     * Starts {@code spec} in the running container and returns once the process runs (a short one may already
     * have ended). Unless detached, the returned session was connected before the process started.
     *
     * @param execId a new id for this exec: letters, digits, {@code _ . -}; it names the exec's files
     * @throws ExecStartException when the process cannot start (user unknown, no such executable, bad working
     *         directory), with Docker's text; nothing of the exec is left, files included
     * @throws ContainerRuntimeException when the container does not run, the id is taken, or conmon fails
     */
    public ExecProcess exec(String containerId, String execId, ExecSpec spec) {
        if (!EXEC_ID.matcher(execId).matches()) {
            throw new IllegalArgumentException("invalid exec id: " + execId);
        }
        RuncState state = runtime.state(containerId).filter(s -> s.status() == RuncState.Status.RUNNING)
                .orElseThrow(() -> new ContainerRuntimeException("exec in container " + containerId
                        + ": container is not running"));
        ObjectNode process = processFor(containerId, state.bundle(), spec);
        Path dir = execsDir.resolve(execId);
        try {
            Files.createDirectory(dir);
            Files.write(dir.resolve("process.json"), JSON.writeValueAsBytes(process));
        } catch (java.nio.file.FileAlreadyExistsException e) {
            throw new ContainerRuntimeException("exec " + execId + ": exec id already used");
        } catch (IOException e) {
            throw new ContainerRuntimeException("exec " + execId + ": prepare " + dir + ": " + e.getMessage(), e);
        }
        List<String> conmon = conmonArgs(containerId, execId, dir, spec);
        long deadline = System.nanoTime() + START_TIMEOUT.toNanos();
        try {
            if (spec.detach()) {
                launch(execId, new ProcessBuilder(conmon), dir);
                int conmonPid = conmonPid(execId, dir);
                return new ExecProcess(execId, containerId, awaitPid(execId, dir, conmonPid, deadline), conmonPid,
                        Optional.empty());
            }
            return execAttached(containerId, execId, dir, conmon, deadline);
        } catch (RuntimeException e) {
            // The exec never ran: its files tell nothing more than the exception. A conmon still running (a
            // timeout we could not end) keeps them for a later remove.
            try {
                remove(execId);
            } catch (RuntimeException cleanup) {
                e.addSuppressed(cleanup);
            }
            throw e;
        }
    }

    private ExecProcess execAttached(String containerId, String execId, Path dir, List<String> conmon,
                                     long deadline) {
        Path fifo = dir.resolve("start");
        if (Libc.INSTANCE.mkfifo(fifo.toString(), 0600) != 0) {
            throw new ContainerRuntimeException("exec " + execId + ": mkfifo " + fifo + ": "
                    + Libc.INSTANCE.strerror(Native.getLastError()));
        }
        AttachSession session = null;
        // Opened read-write so neither we nor conmon (reading it as fd 3) block in open.
        try (RandomAccessFile start = new RandomAccessFile(fifo.toFile(), "rw")) {
            List<String> command = new ArrayList<>(List.of("/bin/sh", "-c", START_PIPE_WRAPPER, fifo.toString()));
            command.addAll(conmon);
            ProcessBuilder builder = new ProcessBuilder(command);
            builder.environment().put("_OCI_STARTPIPE", "3");
            builder.environment().put("_OCI_ATTACHPIPE", "4");
            // conmon reads this before it forks into the monitor; one message per read, so write them apart.
            start.write('\n');
            launch(execId, builder, dir);
            int conmonPid = conmonPid(execId, dir);
            session = connect(execId, dir, conmonPid, deadline);
            start.write('\n'); // conmon's runc child now runs runc exec
            int pid = awaitPid(execId, dir, conmonPid, deadline);
            return new ExecProcess(execId, containerId, pid, conmonPid, Optional.of(session));
        } catch (IOException e) {
            closeQuietly(session);
            throw new ContainerRuntimeException("exec " + execId + ": start pipe: " + e.getMessage(), e);
        } catch (RuntimeException e) {
            closeQuietly(session);
            throw e;
        }
    }

    /** The exit code conmon recorded; empty while the process runs or when it never started. */
    public OptionalInt exitCode(String execId) {
        return StateFiles.readNumber(execsDir.resolve(execId).resolve("exit"));
    }

    /** Waits at most {@code timeout} for the exit code; empty when the process still runs then. */
    public OptionalInt awaitExit(String execId, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        Backoff backoff = new Backoff();
        while (true) {
            OptionalInt code = exitCode(execId);
            if (code.isPresent() || System.nanoTime() > deadline) {
                return code;
            }
            if (Thread.currentThread().isInterrupted()) {
                return code;
            }
            backoff.pause();
        }
    }

    /** Whether the exec's conmon still runs (the process runs, or its output is being drained). */
    public boolean running(String execId) {
        OptionalInt pid = StateFiles.readNumber(execsDir.resolve(execId).resolve("conmon.pid"));
        return pid.isPresent() && isConmonOf(execId, pid.getAsInt());
    }

    /**
     * Sets the size of the exec's terminal (Docker's {@code POST /exec/{id}/resize}).
     *
     * @throws ContainerRuntimeException when the exec's conmon is gone
     */
    public void resize(String execId, int rows, int columns) {
        TerminalSize.set(execsDir.resolve(execId), rows, columns);
    }

    /**
     * Removes the exec's files once it has ended. Safe to repeat; an unknown id is no error.
     *
     * @throws ContainerRuntimeException while the exec's conmon still runs
     */
    public void remove(String execId) {
        if (running(execId)) {
            throw new ContainerRuntimeException("remove exec " + execId + ": exec is running");
        }
        try {
            Path link = socketDir.resolve(execId);
            if (Files.isSymbolicLink(link)) {
                Files.delete(link);
            }
            StateFiles.deleteTree(execsDir.resolve(execId));
        } catch (IOException e) {
            throw new ContainerRuntimeException("remove exec " + execId + ": " + e.getMessage(), e);
        }
    }

    /** Ids of the execs whose files are kept, sorted. */
    public List<String> list() {
        try (Stream<Path> dirs = Files.list(execsDir)) {
            return dirs.map(p -> p.getFileName().toString()).sorted().toList();
        } catch (IOException e) {
            throw new UncheckedIOException("list execs in " + execsDir + ": " + e.getMessage(), e);
        }
    }

    private ObjectNode processFor(String containerId, Path bundle, ExecSpec spec) {
        JsonNode containerConfig;
        try {
            containerConfig = JSON.readTree(bundle.resolve("config.json").toFile());
        } catch (IOException e) {
            throw new ContainerRuntimeException("exec in container " + containerId + ": read bundle " + bundle
                    + ": " + e.getMessage(), e);
        }
        if (!(containerConfig.get("process") instanceof ObjectNode containerProcess)) {
            throw new ContainerRuntimeException("exec in container " + containerId + ": bundle " + bundle
                    + " has no process");
        }
        try {
            return ExecProcessSpec.build(containerProcess, ExecProcessSpec.rootfs(containerConfig, bundle), spec);
        } catch (SpecificationException e) {
            throw new ExecStartException(e.getMessage());
        }
    }

    private List<String> conmonArgs(String containerId, String execId, Path dir, ExecSpec spec) {
        List<String> args = new ArrayList<>(List.of(
                config.conmon().toString(),
                "--exec", "--api-version", "1",
                "-c", containerId, "-u", execId, "-n", execId,
                "-r", config.runc().toString(),
                "-b", dir.toString(),
                "-p", dir.resolve("pid").toString(),
                "-P", dir.resolve("conmon.pid").toString(),
                "--exec-process-spec", dir.resolve("process.json").toString(),
                "--socket-dir-path", socketDir.toString(),
                // conmon writes the exit code to <persist-dir>/exit; no --exit-dir, whose file would bear the
                // container's id and read as the container's own exit.
                "--persist-dir", dir.toString(),
                // Docker keeps no log of an exec's output; conmon insists on a driver, and "none" still relays.
                "-l", "none",
                "--runtime-arg", "--root", "--runtime-arg", config.runcRoot().toString(),
                "--runtime-arg", "--log", "--runtime-arg", dir.resolve("runc.log").toString(),
                "--runtime-arg", "--log-format", "--runtime-arg", "json"));
        if (!spec.detach()) {
            args.add("--exec-attach");
        }
        if (spec.tty()) {
            args.add("--terminal");
        } else if (spec.stdin()) {
            args.add("--stdin");
        }
        return args;
    }

    /** Runs conmon's first process, which forks the monitor and exits. */
    private static void launch(String execId, ProcessBuilder builder, Path dir) {
        ConmonLauncher.launch("exec " + execId, builder, dir, dir.resolve("conmon.out"), START_TIMEOUT);
    }

    private static int conmonPid(String execId, Path dir) {
        return StateFiles.readNumber(dir.resolve("conmon.pid")).orElseThrow(() ->
                new ContainerRuntimeException("exec " + execId + ": conmon wrote no pid file"));
    }

    /** conmon binds and listens on its attach socket right after it forks; connect as soon as it does. */
    private AttachSession connect(String execId, Path dir, int conmonPid, long deadline) {
        Backoff backoff = new Backoff();
        while (true) {
            try {
                return AttachSession.open(dir);
            } catch (ContainerRuntimeException e) {
                if (!isConmonOf(execId, conmonPid)) {
                    throw new ContainerRuntimeException("exec " + execId + ": conmon exited before it listened: "
                            + StateFiles.readText(dir.resolve("conmon.out")).strip());
                }
                if (System.nanoTime() > deadline) {
                    kill(conmonPid);
                    throw new ContainerRuntimeException("exec " + execId + ": attach: " + e.getMessage());
                }
                backoff.pause();
            }
        }
    }

    /**
     * runc exec writes the pid file by rename as its last step; a conmon gone without it means runc failed, and
     * runc's log holds why.
     */
    private int awaitPid(String execId, Path dir, int conmonPid, long deadline) {
        Backoff backoff = new Backoff();
        while (true) {
            OptionalInt pid = StateFiles.readNumber(dir.resolve("pid"));
            if (pid.isPresent()) {
                return pid.getAsInt();
            }
            if (!isConmonOf(execId, conmonPid)) {
                pid = StateFiles.readNumber(dir.resolve("pid"));
                if (pid.isPresent()) {
                    return pid.getAsInt();
                }
                String message = RuncLog.lastError(StateFiles.readText(dir.resolve("runc.log"))).orElseThrow(() ->
                        new ContainerRuntimeException("exec " + execId + ": conmon exited before runc started "
                                + "the process"));
                throw ExecStartException.fromRuntimeMessage(message);
            }
            if (System.nanoTime() > deadline) {
                kill(conmonPid);
                throw new ContainerRuntimeException("exec " + execId + ": timed out after " + START_TIMEOUT
                        + " waiting for runc exec");
            }
            backoff.pause();
        }
    }

    private static void kill(int pid) {
        ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
    }

    /** A pid file can outlive its process and the pid be reused: check it is the conmon of this exec. */
    private static boolean isConmonOf(String execId, int pid) {
        if (!HostProcess.alive(pid)) {
            return false;
        }
        List<String> cmdline = HostProcess.commandLine(pid);
        int flag = cmdline.indexOf("-u");
        return !cmdline.isEmpty() && cmdline.get(0).endsWith("conmon") && cmdline.contains("--exec")
                && flag >= 0 && flag + 1 < cmdline.size() && cmdline.get(flag + 1).equals(execId);
    }

    private static void closeQuietly(AttachSession session) {
        if (session != null) {
            session.close();
        }
    }
}
