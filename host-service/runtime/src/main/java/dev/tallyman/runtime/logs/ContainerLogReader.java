package dev.tallyman.runtime.logs;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads the k8s-file log conmon writes for a container (the format on disk: conmon writes it natively, so no
 * copy runs in our process, and Docker's json-file shape is produced only at the API edge).
 */
public final class ContainerLogReader {
    /** How long {@link #follow} sleeps when the log has nothing new. */
    public static final Duration POLL = Duration.ofMillis(5);

    /**
     * The log's entries in order. Like Docker, {@code tail} picks the last n entries of the whole log first, then
     * {@code since} and {@code until} (both inclusive) filter them. A missing log reads as empty.
     */
    public List<LogEntry> read(Path log, Optional<Instant> since, Optional<Instant> until, OptionalInt tail) {
        Deque<LogEntry> entries = new ArrayDeque<>();
        int limit = tail.orElse(Integer.MAX_VALUE);
        if (limit <= 0) {
            return List.of();
        }
        K8sFileParser parser = new K8sFileParser(entry -> {
            entries.addLast(entry);
            if (entries.size() > limit) {
                entries.removeFirst();
            }
        });
        try (InputStream in = Files.newInputStream(log)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                parser.feed(buffer, 0, n);
            }
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("read log " + log + ": " + e.getMessage(), e);
        }
        parser.flushPartials();
        return new LogWindow(since, until).select(entries);
    }

    /**
     * Hands each entry to {@code onEntry} as conmon appends it, from the start of the log or from its current
     * end, polling every {@link #POLL}. Once {@code keepGoing} answers false, reads what the log holds at that
     * moment, hands it over and returns; so a caller that stops when the exit file appears gets all output
     * (conmon drains the container's pipes into the log before it writes the exit file). An unfinished line is
     * handed over when no more of it arrives within one poll. Waits for a log that does not exist yet.
     */
    public void follow(Path log, boolean fromStart, Consumer<LogEntry> onEntry, BooleanSupplier keepGoing) {
        K8sFileParser parser = new K8sFileParser(onEntry);
        FileChannel channel = null;
        try {
            while (channel == null) {
                boolean last = !keepGoing.getAsBoolean();
                try {
                    channel = FileChannel.open(log, StandardOpenOption.READ);
                } catch (NoSuchFileException e) {
                    if (last) {
                        return;
                    }
                    pause();
                }
            }
            long position = fromStart ? 0 : channel.size();
            ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
            while (true) {
                boolean last = !keepGoing.getAsBoolean();
                if (channel.size() < position) {
                    position = 0; // truncated or rotated in place: start over
                }
                int total = 0;
                int n;
                while ((n = channel.read(buffer.clear(), position)) > 0) {
                    position += n;
                    total += n;
                    parser.feed(buffer.array(), 0, n);
                }
                if (last) {
                    parser.flushPartials();
                    return;
                }
                if (total == 0) {
                    if (parser.hasPartials()) {
                        parser.flushPartials();
                    }
                    pause();
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("follow log " + log + ": " + e.getMessage(), e);
        } finally {
            if (channel != null) {
                try {
                    channel.close();
                } catch (IOException e) {
                    // Read-only channel: nothing was written that closing could lose.
                }
            }
        }
    }

    private static void pause() {
        LockSupport.parkNanos(POLL.toNanos());
    }
}
