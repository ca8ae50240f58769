package dev.tallyman.runtime;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Runs conmon's first process, which forks the monitor and exits: for a container ({@code create}) and for an
 * exec alike. The monitor then lives on its own; we only learn whether the fork went well.
 */
public final class ConmonLauncher {
    private ConmonLauncher() {
    }

    /**
     * Starts {@code builder} in {@code dir} and waits at most {@code timeout} for it to exit 0.
     *
     * @param operation what failures name first, e.g. {@code create container <id>} or {@code exec <id>}
     * @param output    where conmon's stdout and stderr go; its text ends the message of a failed launch
     * @throws ContainerRuntimeException when conmon cannot run, does not detach in time, or exits non-zero
     */
    public static void launch(String operation, ProcessBuilder builder, Path dir, Path output, Duration timeout) {
        Process process;
        try {
            // Output to a file, not a pipe: the detached monitor inherits it for a moment and must not hold us.
            process = builder.directory(dir.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")))
                    .redirectOutput(output.toFile()).redirectErrorStream(true).start();
        } catch (IOException e) {
            throw new ContainerRuntimeException(operation + ": run conmon: " + e.getMessage(), e);
        }
        try {
            if (!process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                process.destroyForcibly();
                throw new ContainerRuntimeException(operation + ": conmon did not detach within " + timeout);
            }
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new ContainerRuntimeException(operation + ": interrupted", e);
        }
        if (process.exitValue() != 0) {
            throw new ContainerRuntimeException(operation + ": conmon: exit status " + process.exitValue() + ": "
                    + StateFiles.readText(output).strip());
        }
    }
}
