package dev.tallyman.runtime;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/** Runs one short-lived tool (runc start/kill/delete) with a timeout and keeps its output. */
final class Command {
    record Result(int exitCode, String stdout, String stderr) {
        boolean ok() {
            return exitCode == 0;
        }

        /** runc with {@code --log-format json} and no {@code --log} writes JSON lines to stderr; take the last error. */
        String runcError() {
            return RuncLog.lastError(stderr).orElse(stderr.isBlank() ? "exit status " + exitCode : stderr.strip());
        }
    }

    private Command() {
    }

    /**
     * Runs {@code args} and waits at most {@code timeout}. runc's output is a few lines, far below a pipe's
     * buffer, so reading after the exit cannot dead-lock.
     */
    static Result run(List<String> args, Duration timeout) {
        Process process;
        try {
            process = new ProcessBuilder(args).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
        } catch (IOException e) {
            throw new ContainerRuntimeException("run " + args.get(0) + ": " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ContainerRuntimeException("run " + String.join(" ", args) + ": timed out after " + timeout);
            }
            String stdout = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            String stderr = new String(process.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
            return new Result(process.exitValue(), stdout, stderr);
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException("run " + args.get(0) + ": interrupted", e);
        } catch (IOException e) {
            throw new ContainerRuntimeException("run " + args.get(0) + ": read output: " + e.getMessage(), e);
        }
    }
}
