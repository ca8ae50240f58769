package dev.tallyman.runtime.exec;

/**
 * The exec'd process could not be started. The message is what Docker prints for it, e.g.
 * {@code OCI runtime exec failed: exec failed: unable to start container process: exec: "nosuch": executable
 * file not found in $PATH: unknown} or {@code unable to find user nobody: no matching entries in passwd file};
 * {@link #exitCode()} is the exit code Docker then records for the exec (126 in every such case, measured with
 * Docker 20.10).
 */
public class ExecStartException extends RuntimeException {
    /** Docker's exit code for an exec that never ran. */
    public static final int EXIT_CODE = 126;

    public ExecStartException(String message) {
        super(message);
    }

    /** runc's error text as containerd wraps it for Docker. */
    static ExecStartException fromRuntimeMessage(String runcMessage) {
        return new ExecStartException("OCI runtime exec failed: " + runcMessage + ": unknown");
    }

    public int exitCode() {
        return EXIT_CODE;
    }
}
