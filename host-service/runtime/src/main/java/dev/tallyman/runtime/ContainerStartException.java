package dev.tallyman.runtime;

/**
 * runc could not start the container's process. The message is runc's own text (e.g.
 * {@code exec: "nosuchcmd": executable file not found in $PATH}) because the docker CLI picks its exit code from
 * that text; {@link #exitCode()} is the code Docker records for the container.
 */
public class ContainerStartException extends RuntimeException {
    private final int exitCode;

    public ContainerStartException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /** Docker's rule (daemon/start.go): 127 for a missing executable, 126 when it cannot run, else 128. */
    public static ContainerStartException fromRuntimeMessage(String message) {
        return new ContainerStartException(exitCodeFor(message), message);
    }

    static int exitCodeFor(String message) {
        if (message.contains("executable file not found") || message.contains("no such file or directory")) {
            return 127;
        }
        if (message.contains("permission denied") || message.contains("is a directory")) {
            return 126;
        }
        return 128;
    }

    public int exitCode() {
        return exitCode;
    }
}
