package dev.tallyman.host.api;

import io.vertx.core.buffer.Buffer;

/**
 * Docker's multiplexed stream framing for output without a TTY: an 8-byte header — the stream (0 stdin,
 * 1 stdout, 2 stderr, 3 system error), three zero bytes, the payload size as a big-endian uint32 — then the
 * payload. With a TTY the bytes go raw.
 */
final class Frames {
    static final int STDOUT = 1;
    static final int STDERR = 2;
    static final int SYSTEM_ERROR = 3;

    private Frames() {
    }

    static Buffer frame(int stream, byte[] payload) {
        Buffer buffer = Buffer.buffer(8 + payload.length);
        buffer.appendByte((byte) stream).appendByte((byte) 0).appendByte((byte) 0).appendByte((byte) 0);
        buffer.appendInt(payload.length);
        buffer.appendBytes(payload);
        return buffer;
    }

    /** The content type Docker announces: multiplexed frames (no TTY, API 1.42 and later) or raw bytes. */
    static String contentType(boolean tty, ApiVersion version) {
        return !tty && version.atLeast(1, 42) ? "application/vnd.docker.multiplexed-stream" : "application/vnd.docker.raw-stream";
    }

    /** The frame stream a log entry goes out on. */
    static int streamOf(dev.tallyman.runtime.logs.LogEntry entry) {
        return entry.stream() == dev.tallyman.runtime.logs.LogEntry.Stream.STDOUT ? STDOUT : STDERR;
    }
}
