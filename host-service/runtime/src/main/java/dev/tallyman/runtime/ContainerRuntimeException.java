package dev.tallyman.runtime;

/**
 * runc or conmon failed at something other than starting the process (a missing container, a timeout, a refused
 * signal). The message reads {@code <operation> container <id>: <runc's or conmon's text>}.
 */
public class ContainerRuntimeException extends RuntimeException {
    public ContainerRuntimeException(String message) {
        super(message);
    }

    public ContainerRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
