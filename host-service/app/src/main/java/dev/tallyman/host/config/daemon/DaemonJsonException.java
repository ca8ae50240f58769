package dev.tallyman.host.config.daemon;

/** A daemon.json Tallyman cannot run with; the message names the file and the key, as dockerd's does. */
public final class DaemonJsonException extends RuntimeException {
    public DaemonJsonException(String message) {
        super(message);
    }
}
