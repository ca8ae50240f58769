package dev.tallyman.runtime.top;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.ContainerRuntimeException;
import dev.tallyman.runtime.RuncState;
import dev.tallyman.runtime.RuntimeConfig;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * {@code docker top}: the host's {@code ps} filtered to the container's processes, which {@code runc ps} reads
 * from the container's cgroup (so exec'd processes count, as in Docker).
 */
public final class ContainerTop {
    /** Docker's default ps arguments. */
    public static final String DEFAULT_PS_ARGS = "-ef";

    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final ObjectMapper JSON = new ObjectMapper();

    private final ContainerRuntime runtime;
    private final RuntimeConfig config;

    public ContainerTop(ContainerRuntime runtime) {
        this.runtime = runtime;
        this.config = runtime.config();
    }

    /**
     * Docker's {@code ps_args} text: split on single spaces as Docker does; blank means {@value #DEFAULT_PS_ARGS}.
     *
     * @throws ContainerTopException with Docker's text when ps fails or its output has no PID column
     * @throws ContainerRuntimeException when the container is not running
     */
    public ProcessTable top(String id, String psArgs) {
        String args = psArgs == null || psArgs.isBlank() ? DEFAULT_PS_ARGS : psArgs;
        PsOutput.validate(args);
        return top(id, List.of(args.split(" ")));
    }

    /**
     * Runs {@code ps <psArgs>} and keeps the header and the container's rows. Like Docker it first asks ps for
     * only those pids ({@code -q}); options that do not mix with {@code -q} make it run ps plainly.
     */
    public ProcessTable top(String id, List<String> psArgs) {
        Set<Integer> pids = pids(id);
        List<String> quick = new ArrayList<>(psArgs);
        quick.add("-q");
        quick.add(pids.stream().map(String::valueOf).collect(Collectors.joining(",")));
        Result result = ps(quick);
        if (result.exitCode != 0) {
            result = ps(psArgs);
            if (result.exitCode != 0) {
                String firstLine = result.stderr.lines().findFirst().orElse("exit status " + result.exitCode);
                throw new ContainerTopException("ps: " + firstLine);
            }
        }
        return PsOutput.parse(result.stdout, pids);
    }

    /** The container's pids from {@code runc ps --format json}. */
    private Set<Integer> pids(String id) {
        RuncState state = runtime.state(id).orElseThrow(() ->
                new ContainerRuntimeException("top container " + id + ": no such container"));
        if (state.status() != RuncState.Status.RUNNING && state.status() != RuncState.Status.PAUSED) {
            throw new ContainerRuntimeException("top container " + id + ": container is not running");
        }
        Result result = run(List.of(config.runc().toString(), "--root", config.runcRoot().toString(),
                "--log-format", "json", "ps", "--format", "json", id));
        if (result.exitCode != 0) {
            throw new ContainerRuntimeException("top container " + id + ": runc ps: " + result.stderr.strip());
        }
        try {
            Set<Integer> pids = new HashSet<>();
            JsonNode list = JSON.readTree(result.stdout);
            list.forEach(pid -> pids.add(pid.asInt()));
            return pids;
        } catch (IOException e) {
            throw new ContainerRuntimeException("top container " + id + ": read runc ps: " + e.getMessage(), e);
        }
    }

    private record Result(int exitCode, String stdout, String stderr) {
    }

    private static Result ps(List<String> psArgs) {
        List<String> command = new ArrayList<>(List.of("ps"));
        command.addAll(psArgs);
        return run(command);
    }

    private static Result run(List<String> command) {
        Process process;
        try {
            process = new ProcessBuilder(command).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ContainerTopException(command.get(0) + ": " + e.getMessage());
        }
        // ps' output grows with the host's process count: read while it runs so a full pipe cannot stall it.
        CompletableFuture<String> stderr = CompletableFuture.supplyAsync(() -> readAll(process.getErrorStream()));
        String stdout = readAll(process.getInputStream());
        try {
            if (!process.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ContainerTopException(command.get(0) + ": timed out after " + TIMEOUT);
            }
            return new Result(process.exitValue(), stdout, stderr.join());
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContainerTopException(command.get(0) + ": interrupted");
        }
    }

    private static String readAll(java.io.InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }
}
