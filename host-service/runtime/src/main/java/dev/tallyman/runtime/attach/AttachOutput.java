package dev.tallyman.runtime.attach;

/**
 * One piece of a container's output as conmon relays it. With a terminal everything is {@link Stream#STDOUT}
 * (the pty has one output), carrying the raw terminal bytes.
 *
 * @param stream which of the process' outputs wrote it
 * @param bytes the bytes, never empty
 */
public record AttachOutput(Stream stream, byte[] bytes) {
    public enum Stream { STDOUT, STDERR }

    public AttachOutput {
        bytes = bytes.clone();
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }
}
