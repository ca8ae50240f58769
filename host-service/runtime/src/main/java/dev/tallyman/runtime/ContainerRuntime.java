package dev.tallyman.runtime;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.runtime.cgroups.CgroupPaths;
import dev.tallyman.runtime.cgroups.CgroupStats;
import dev.tallyman.runtime.cgroups.StatsSample;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.Consumer;

/**
 * Runs containers with runc under conmon. conmon detaches from us and holds the container's stdio, writes its
 * log and, when it ends, its exit code; so a container outlives this JVM and a new instance over the same
 * {@link RuntimeConfig} finds it again ({@link #list()}, {@link #state}, {@link #exitStatus}).
 *
 * <p>Every call takes the container id; nothing is remembered in memory. Every wait has a timeout.
 */
public final class ContainerRuntime {
    private static final Duration CREATE_TIMEOUT = Duration.ofSeconds(60);
    private static final Duration COMMAND_TIMEOUT = Duration.ofSeconds(30);
    private static final Duration CONMON_EXIT_TIMEOUT = Duration.ofSeconds(10);
    private static final ObjectMapper JSON = new ObjectMapper();
    /**
     * conmon's k8s-file cap when the caller names none. The file is a spool that {@code JsonFileLogShipper}
     * copies into Docker's json-file; it only needs to hold what a container writes while Tallyman is not
     * running, so it is generous rather than tight.
     */
    public static final long DEFAULT_LOG_SIZE_MAX = 128L * 1024 * 1024;

    private final RuntimeConfig config;
    private final StateLayout layout;
    private final RuncStateFile runcState;

    /** Makes the state directories if missing; touches no container. */
    public ContainerRuntime(RuntimeConfig config) {
        this.config = config;
        this.layout = new StateLayout(config.stateDir());
        this.runcState = new RuncStateFile(config.runcRoot());
        try {
            Files.createDirectories(config.runcRoot());
            Files.createDirectories(layout.exitDir());
            Files.createDirectories(layout.socketDir());
            Files.createDirectories(layout.containersDir());
        } catch (IOException e) {
            throw new UncheckedIOException("create runtime state in " + config.stateDir() + ": " + e.getMessage(), e);
        }
    }

    public RuntimeConfig config() {
        return config;
    }

    /**
     * Starts conmon, which runs {@code runc create} for the bundle and stays as the container's monitor, and
     * returns once runc has created the container (status "created": namespaces made, process not yet exec'd).
     * stdout and stderr go to {@code logPath} in k8s-file format. An earlier exit file for the id is removed.
     *
     * @throws ContainerStartException when runc refuses the process (message = runc's error text)
     * @throws ContainerRuntimeException when conmon cannot be run or creation times out
     */
    public RunningProcess create(String id, Path bundle, Path logPath) {
        return create(id, bundle, logPath, DEFAULT_LOG_SIZE_MAX);
    }

    /**
     * {@link #create(String, Path, Path)} with conmon's {@code --log-size-max}: when writing a line would take
     * the k8s-file past {@code logSizeMax} bytes, conmon replaces the file by a new empty one (rename over the
     * path; the old content is gone). {@code logSizeMax <= 0} means no limit.
     */
    public RunningProcess create(String id, Path bundle, Path logPath, long logSizeMax) {
        return create(id, bundle, logPath, logSizeMax, StdinMode.CLOSED);
    }

    /**
     * How a container without a terminal treats stdin (a terminal is always open): CLOSED reads /dev/null;
     * OPEN keeps it open across attaches (docker run -d -i); ONCE closes it when the first attached client ends
     * its input (docker run -i).
     */
    public enum StdinMode { CLOSED, OPEN, ONCE }

    /** {@link #create(String, Path, Path, long)} with the container's stdin made available to attach sessions. */
    public RunningProcess create(String id, Path bundle, Path logPath, long logSizeMax, StdinMode stdin) {
        Path dir = layout.containerDir(id);
        try {
            Files.createDirectories(dir);
            Files.createDirectories(logPath.toAbsolutePath().getParent());
            for (Path stale : List.of(layout.exitFile(id), layout.pidFile(id), layout.conmonPidFile(id),
                    layout.runcLog(id), layout.oomFile(id), dir.resolve("exit"))) {
                Files.deleteIfExists(stale);
            }
        } catch (IOException e) {
            throw new ContainerRuntimeException("create container " + id + ": prepare " + dir + ": " + e.getMessage(), e);
        }
        List<String> args = conmonArgs(id, bundle.toAbsolutePath(), logPath.toAbsolutePath(), logSizeMax, stdin);
        long deadline = System.nanoTime() + CREATE_TIMEOUT.toNanos();
        ConmonLauncher.launch("create container " + id, new ProcessBuilder(args), dir, layout.conmonOutput(id),
                COMMAND_TIMEOUT);
        int conmonPid = StateFiles.readNumber(layout.conmonPidFile(id)).orElseThrow(() ->
                new ContainerRuntimeException("create container " + id + ": conmon wrote no pid file"));
        Backoff backoff = new Backoff();
        // conmon's first process exits at once (it only forks the monitor), so "created" is observed here:
        // runc writes the container's pid file by rename as its last step; a dead monitor means runc failed.
        while (true) {
            OptionalInt pid = StateFiles.readNumber(layout.pidFile(id));
            if (pid.isPresent()) {
                return new RunningProcess(id, pid.getAsInt(), conmonPid);
            }
            if (!HostProcess.alive(conmonPid)) {
                pid = StateFiles.readNumber(layout.pidFile(id));
                if (pid.isPresent()) {
                    return new RunningProcess(id, pid.getAsInt(), conmonPid);
                }
                String message = RuncLog.lastError(StateFiles.readText(layout.runcLog(id)))
                        .orElse("create container " + id + ": conmon exited before runc created the container");
                removeLeftovers(id);
                throw ContainerStartException.fromRuntimeMessage(message);
            }
            if (System.nanoTime() > deadline) {
                // Leave nothing half-made behind: the caller sees a failure and holds no id to clean up with.
                if (isConmonOf(id, conmonPid)) {
                    ProcessHandle.of(conmonPid).ifPresent(ProcessHandle::destroyForcibly);
                }
                delete(id, true);
                throw new ContainerRuntimeException("create container " + id + ": timed out after " + CREATE_TIMEOUT
                        + " waiting for runc create");
            }
            backoff.pause();
        }
    }

    /** {@code runc start}: lets a created container exec its process. */
    public void start(String id) {
        runc("start", id, List.of("start", id));
    }

    /**
     * SIGKILL to the container's init process {@code pid}, sent by this process: the kernel then ends every
     * process of the container's pid namespace, which is what {@code runc kill --all 9} achieves, without
     * starting runc (the processor it takes counts when fifty containers go at once). The pid is checked to be
     * in the container's cgroup first, so a reused pid is never signalled; when it is not, or is gone, runc is
     * asked as before.
     */
    public void killInitForcibly(String id, int pid) {
        if (pid > 0 && HostProcess.inCgroupOf(pid, id)) {
            Optional<ProcessHandle> init = ProcessHandle.of(pid);
            if (init.isPresent() && init.get().destroyForcibly()) {
                return;
            }
        }
        kill(id, 9, true);
    }

    /**
     * Sends {@code signal} (a number, e.g. 15) to the container's init process, or with {@code all} to every
     * process in its cgroup. The init process of a pid namespace ignores signals it has no handler for
     * (except SIGKILL), as in Docker.
     */
    public void kill(String id, int signal, boolean all) {
        List<String> args = new ArrayList<>(List.of("kill"));
        if (all) {
            args.add("--all");
        }
        args.add(id);
        args.add(Integer.toString(signal));
        runc("kill", id, args);
    }

    /**
     * {@code runc pause}: freezes every process of the container (freezer cgroup); state then reads PAUSED.
     *
     * @throws ContainerRuntimeException with runc's message, e.g. when the container is not running
     */
    public void pause(String id) {
        runc("pause", id, List.of("pause", id));
    }

    /**
     * {@code runc update}: changes a running container's cgroup limits. Each flag is given as is (the caller
     * passes only what changes), e.g. {@code --memory 67108864}.
     *
     * @throws ContainerRuntimeException with runc's message, e.g. a memory limit below the current usage
     */
    public void update(String id, List<String> flags) {
        List<String> args = new ArrayList<>(List.of("update"));
        args.addAll(flags);
        args.add(id);
        runc("update", id, args);
    }

    /** A health probe's end: exit code (-1 when it ran out of time) and its combined output. */
    public record ProbeResult(int exitCode, String output) {
    }

    /**
     * Runs a health probe in the running container ({@code runc exec}, the container's user, environment and
     * working directory) and waits at most {@code timeout}; a probe still running then is killed and reported as
     * Docker reports it.
     */
    public ProbeResult probe(String id, List<String> args, java.time.Duration timeout) {
        List<String> command = runcCommand(new ArrayList<>(List.of("exec", id)));
        command.addAll(args);
        java.nio.file.Path out = null;
        try {
            out = Files.createTempFile("tallyman-probe-", ".out");
            Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(out.toFile())
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!process.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                return new ProbeResult(-1, "Health check exceeded timeout (" + timeout.toSeconds() + "s)");
            }
            byte[] bytes = Files.readAllBytes(out);
            String text = new String(bytes, 0, Math.min(bytes.length, 4096), java.nio.charset.StandardCharsets.UTF_8);
            return new ProbeResult(process.exitValue(), text);
        } catch (IOException e) {
            return new ProbeResult(-1, "probe container " + id + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new ProbeResult(-1, "probe container " + id + ": interrupted");
        } finally {
            if (out != null) {
                try {
                    Files.deleteIfExists(out);
                } catch (IOException ignored) {
                    // a temporary file; the next boot's tmp cleaning takes it
                }
            }
        }
    }

    /** {@code runc resume}: thaws a paused container. */
    public void resume(String id) {
        runc("resume", id, List.of("resume", id));
    }

    /**
     * One sample of the container's cgroup counters and its network counters, for {@code docker stats}; empty
     * when runc does not know the id or its process is gone.
     */
    public Optional<StatsSample> stats(String id) {
        Optional<RuncState> state = runcState.read(id);
        if (state.isEmpty() || state.get().pid() <= 0) {
            return Optional.empty();
        }
        CgroupPaths paths = CgroupPaths.fromRuncState(config.runcRoot().resolve(id).resolve("state.json"));
        return Optional.of(CgroupStats.forHost().read(paths, OptionalInt.of(state.get().pid())));
    }

    /** What runc knows of the container, read from runc's state file; empty when runc does not know the id. */
    public Optional<RuncState> state(String id) {
        return runcState.read(id);
    }

    /** Ids runc knows under our runc root, sorted. */
    public List<String> list() {
        return runcState.list();
    }

    /**
     * How the container ended, from conmon's exit file; empty while it runs or when it never ran.
     * Once the exit file is there, conmon has already drained the container's output into the log.
     */
    public Optional<ExitStatus> exitStatus(String id) {
        Path file = layout.exitFile(id);
        try {
            String text = Files.readString(file).trim();
            if (text.isEmpty()) {
                return Optional.empty();
            }
            BasicFileAttributes attributes = Files.readAttributes(file, BasicFileAttributes.class);
            boolean oom = Files.exists(layout.oomFile(id));
            return Optional.of(new ExitStatus(id, Integer.parseInt(text), attributes.lastModifiedTime().toInstant(),
                    oom));
        } catch (NoSuchFileException e) {
            return Optional.empty();
        } catch (NumberFormatException e) {
            // A name that is not an exit file of ours (conmon's temporary file before its rename).
            return Optional.empty();
        } catch (IOException e) {
            throw new UncheckedIOException("read exit status of container " + id + ": " + e.getMessage(), e);
        }
    }

    /**
     * Calls {@code onExit} from a watcher thread for each exit file conmon writes from now on, until closed.
     * An exit that happened before the call is not reported: check {@link #exitStatus} after subscribing.
     * The consumer should be idempotent (an inotify overflow makes the watcher report every exit file again).
     */
    public Closeable watchExits(Consumer<ExitStatus> onExit) {
        return new ExitWatcher(layout.exitDir(), this::exitStatus, onExit);
    }

    /**
     * Removes the container from runc ({@code runc delete}, with {@code force} also when it still runs), waits
     * for its conmon to write the exit file and go, then removes conmon's files for the id: exit file, pid
     * files, attach link and the fifos conmon left in the bundle. Safe to repeat; an unknown id is no error.
     *
     * @throws ContainerRuntimeException when the container runs and {@code force} is false
     */
    public void delete(String id, boolean force) {
        if (runcState.read(id).isPresent()) {
            List<String> args = new ArrayList<>(List.of("delete"));
            if (force) {
                args.add("--force");
            }
            args.add(id);
            Command.Result result = Command.run(runcCommand(args), COMMAND_TIMEOUT);
            if (!result.ok() && !result.runcError().contains("does not exist")) {
                throw new ContainerRuntimeException("delete container " + id + ": " + result.runcError());
            }
        }
        StateFiles.readNumber(layout.conmonPidFile(id)).ifPresent(pid -> awaitConmonExit(id, pid));
        removeLeftovers(id);
    }

    private void awaitConmonExit(String id, int pid) {
        if (!isConmonOf(id, pid)) {
            return;
        }
        long deadline = System.nanoTime() + CONMON_EXIT_TIMEOUT.toNanos();
        Backoff backoff = new Backoff();
        while (HostProcess.alive(pid)) {
            if (System.nanoTime() > deadline) {
                // Its container is gone (runc deleted it), so the monitor has nothing left to watch.
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
                return;
            }
            backoff.pause();
        }
    }

    /** A pid file can outlive its process and the pid be reused: check the command line names this id. */
    private static boolean isConmonOf(String id, int pid) {
        List<String> cmdline = HostProcess.commandLine(pid);
        int flag = cmdline.indexOf("-c");
        return !cmdline.isEmpty() && cmdline.get(0).endsWith("conmon") && flag >= 0 && flag + 1 < cmdline.size()
                && cmdline.get(flag + 1).equals(id);
    }

    private void removeLeftovers(String id) {
        try {
            Path link = layout.socketLink(id);
            if (Files.isSymbolicLink(link)) {
                Path bundle = Files.readSymbolicLink(link);
                for (String name : List.of("ctl", "winsz", "attach")) {
                    Path file = bundle.resolve(name);
                    // Only conmon's fifos and socket; a regular file of that name belongs to someone else.
                    if (Files.exists(file, LinkOption.NOFOLLOW_LINKS) && !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)
                            && !Files.isDirectory(file, LinkOption.NOFOLLOW_LINKS)) {
                        Files.deleteIfExists(file);
                    }
                }
                Files.deleteIfExists(link);
            }
            Files.deleteIfExists(layout.exitFile(id));
            StateFiles.deleteTree(layout.containerDir(id));
        } catch (IOException e) {
            throw new ContainerRuntimeException("delete container " + id + ": remove conmon files: " + e.getMessage(), e);
        }
    }

    private List<String> conmonArgs(String id, Path bundle, Path logPath, long logSizeMax, StdinMode stdin) {
        List<String> args = new ArrayList<>(List.of(
                config.conmon().toString(),
                "-c", id, "-u", id, "-n", id,
                "-r", config.runc().toString(),
                "-b", bundle.toString(),
                "-p", layout.pidFile(id).toString(),
                "-P", layout.conmonPidFile(id).toString(),
                "-l", "k8s-file:" + logPath,
                "--exit-dir", layout.exitDir().toString(),
                "--socket-dir-path", layout.socketDir().toString(),
                "--persist-dir", layout.containerDir(id).toString(),
                // conmon puts these before the subcommand: runc --root R --log L --log-format json create ...
                "--runtime-arg", "--root", "--runtime-arg", config.runcRoot().toString(),
                "--runtime-arg", "--log", "--runtime-arg", layout.runcLog(id).toString(),
                "--runtime-arg", "--log-format", "--runtime-arg", "json"));
        if (logSizeMax > 0) {
            args.add("--log-size-max");
            args.add(Long.toString(logSizeMax));
        }
        if (wantsTerminal(bundle)) {
            args.add("--terminal");
        } else if (stdin != StdinMode.CLOSED) {
            // conmon's own rule (as CRI-O uses it): --stdin opens it, --leave-stdin-open keeps it past a client's EOF.
            args.add("--stdin");
            if (stdin == StdinMode.OPEN) {
                args.add("--leave-stdin-open");
            }
        }
        return args;
    }

    private static boolean wantsTerminal(Path bundle) {
        try {
            return JSON.readTree(bundle.resolve("config.json").toFile()).path("process").path("terminal").asBoolean();
        } catch (IOException e) {
            throw new ContainerRuntimeException("read bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    private void runc(String operation, String id, List<String> args) {
        Command.Result result = Command.run(runcCommand(args), COMMAND_TIMEOUT);
        if (!result.ok()) {
            throw new ContainerRuntimeException(operation + " container " + id + ": " + result.runcError());
        }
    }

    private List<String> runcCommand(List<String> args) {
        List<String> command = new ArrayList<>(List.of(config.runc().toString(), "--root",
                config.runcRoot().toString(), "--log-format", "json"));
        command.addAll(args);
        return command;
    }
}
