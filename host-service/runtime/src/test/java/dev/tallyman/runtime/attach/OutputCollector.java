package dev.tallyman.runtime.attach;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Optional;

/** Reads a session's output on a thread of its own, so a test can wait for text with a timeout. */
public final class OutputCollector {
    private final ByteArrayOutputStream stdout = new ByteArrayOutputStream();
    private final ByteArrayOutputStream stderr = new ByteArrayOutputStream();
    private final Thread thread;
    private boolean ended;

    public OutputCollector(AttachSession session) {
        thread = new Thread(() -> {
            while (true) {
                Optional<AttachOutput> output = session.read();
                synchronized (this) {
                    if (output.isEmpty()) {
                        ended = true;
                        notifyAll();
                        return;
                    }
                    (output.get().stream() == AttachOutput.Stream.STDOUT ? stdout : stderr)
                            .writeBytes(output.get().bytes());
                    notifyAll();
                }
            }
        }, "attach-output");
        thread.setDaemon(true);
        thread.start();
    }

    public synchronized String stdout() {
        return stdout.toString(StandardCharsets.UTF_8);
    }

    public synchronized String stderr() {
        return stderr.toString(StandardCharsets.UTF_8);
    }

    /** Waits until stdout contains {@code text}; false on timeout or when the output ended without it. */
    public synchronized boolean awaitStdout(String text, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!stdout().contains(text)) {
            long left = deadline - System.nanoTime();
            if (ended || left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }

    /** Waits for the end of the output (the process exited and conmon closed the socket). */
    public synchronized boolean awaitEnd(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!ended) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                return false;
            }
            wait(Math.max(1, left / 1_000_000));
        }
        return true;
    }
}
