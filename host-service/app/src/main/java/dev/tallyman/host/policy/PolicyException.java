package dev.tallyman.host.policy;

/** A policy file that cannot be used: the service does not start, and the message says what to fix. */
public class PolicyException extends RuntimeException {
    public PolicyException(String message) {
        super(message);
    }

    public PolicyException(String message, Throwable cause) {
        super(message, cause);
    }
}
