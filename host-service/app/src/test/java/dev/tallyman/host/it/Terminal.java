package dev.tallyman.host.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A docker command line run on a real pseudo-terminal, as a user at a terminal runs it: util-linux script(1)
 * makes the pty, sets its size with stty, and passes what the test types and what the program writes.
 */
final class Terminal implements AutoCloseable {
    private final Process process;
    private final ByteArrayOutputStream seen = new ByteArrayOutputStream();
    private final OutputStream keyboard;
    private final Thread reader;

    private Terminal(Process process) {
        this.process = process;
        this.keyboard = process.getOutputStream();
        this.reader = new Thread(() -> copy(process.getInputStream()), "terminal-reader");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code docker <args>} on a terminal of the given size, against the instance. */
    static Terminal open(TallymanProcess tallyman, int rows, int columns, String dockerArgs) {
        String command = "stty rows " + rows + " cols " + columns + "; exec /usr/local/bin/docker " + dockerArgs;
        ProcessBuilder builder = new ProcessBuilder(List.of("script", "-qec", command, "/dev/null"));
        builder.environment().put("DOCKER_HOST", tallyman.dockerHost());
        builder.environment().put("DOCKER_CONFIG", "/tmp/tallyman-it-docker-config");
        builder.redirectErrorStream(true);
        try {
            return new Terminal(builder.start());
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private void copy(InputStream in) {
        byte[] buffer = new byte[4096];
        try (in) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                synchronized (seen) {
                    seen.write(buffer, 0, n);
                    seen.notifyAll();
                }
            }
        } catch (IOException e) {
            // The terminal went away; what was seen stays.
        }
    }

    /** Everything the terminal showed so far. */
    String screen() {
        synchronized (seen) {
            return seen.toString(StandardCharsets.UTF_8);
        }
    }

    /** Waits until the screen shows the text (after the given offset), failing with the screen after the limit. */
    int await(String text, int from, Duration limit) {
        long deadline = System.nanoTime() + limit.toNanos();
        synchronized (seen) {
            while (true) {
                String screen = seen.toString(StandardCharsets.UTF_8);
                int at = screen.indexOf(text, Math.min(from, screen.length()));
                if (at >= 0) {
                    return at + text.length();
                }
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new AssertionError("terminal never showed \"" + text + "\"; it showed:\n" + screen);
                }
                try {
                    seen.wait(Math.max(1, TimeUnit.NANOSECONDS.toMillis(left)));
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new AssertionError("interrupted");
                }
            }
        }
    }

    int await(String text) {
        return await(text, 0, Duration.ofSeconds(15));
    }

    /** Types the text (control characters included) as the user would. */
    void type(String text) {
        try {
            keyboard.write(text.getBytes(StandardCharsets.UTF_8));
            keyboard.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** The exit code of the docker command (script -e passes it on). */
    int exitCode(Duration limit) {
        try {
            if (!process.waitFor(limit.toMillis(), TimeUnit.MILLISECONDS)) {
                throw new AssertionError("docker still running after " + limit + "; the terminal showed:\n" + screen());
            }
            reader.join(2000);
            return process.exitValue();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
        }
    }
}
