package dev.tallyman.runtime.top;

/**
 * {@code docker top} failed; the message is Docker's text where Docker has one (e.g.
 * {@code Couldn't find PID field in ps output}, or {@code ps: <ps' first error line>}).
 */
public class ContainerTopException extends RuntimeException {
    public ContainerTopException(String message) {
        super(message);
    }
}
