package dev.tallyman.runtime.logs;

import java.io.ByteArrayOutputStream;
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
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;

/**
 * Reads a Docker json-file log together with its rotated files ({@code .N} oldest ... {@code .1}, then the live
 * file), as {@code docker logs} does. Each json line is one entry; a partial message is an entry without
 * {@code \n}, as Docker returns it.
 */
public final class JsonFileLogReader {
    /** How long {@link #follow} sleeps when the log has nothing new. */
    public static final Duration POLL = Duration.ofMillis(5);

    /**
     * The entries in order. As Docker: {@code tail} takes the last n entries of all files first, then
     * {@code since} and {@code until} (both inclusive) filter them. A missing log reads as empty.
     */
    public List<LogEntry> read(Path log, Optional<Instant> since, Optional<Instant> until, OptionalInt tail) {
        int limit = tail.orElse(Integer.MAX_VALUE);
        if (limit <= 0) {
            return List.of();
        }
        Deque<LogEntry> entries = new ArrayDeque<>();
        Consumer<LogEntry> keep = entry -> {
            entries.addLast(entry);
            if (entries.size() > limit) {
                entries.removeFirst();
            }
        };
        for (Path file : files(log)) {
            readWhole(file, keep);
        }
        return new LogWindow(since, until).select(entries);
    }

    /**
     * {@link #follow(Path, Optional, Optional, OptionalInt, Consumer, BooleanSupplier)} from the start
     * ({@code fromStart}) or from the current end, without time filters.
     */
    public void follow(Path log, boolean fromStart, Consumer<LogEntry> onEntry, BooleanSupplier keepGoing) {
        follow(log, Optional.empty(), Optional.empty(), fromStart ? OptionalInt.empty() : OptionalInt.of(0), onEntry,
                keepGoing);
    }

    /**
     * Hands over what the log holds (tail, since and until applied as in {@link #read}), then each entry as it
     * is appended, polling every {@link #POLL}, and goes on across rotations: when the live file is renamed to
     * {@code .1} the rest of it is read before the new live file, and a file truncated in place is read from its
     * start again. Returns once {@code keepGoing} answers false (after handing over what the log holds at that
     * moment) or at the first entry after {@code until}. Waits for a log that does not exist yet.
     */
    public void follow(Path log, Optional<Instant> since, Optional<Instant> until, OptionalInt tail,
                       Consumer<LogEntry> onEntry, BooleanSupplier keepGoing) {
        LogWindow window = new LogWindow(since, until);
        FileChannel channel = null;
        try {
            long inode = -1;
            while (channel == null) {
                boolean last = !keepGoing.getAsBoolean();
                Opened opened = open(log);
                if (opened != null) {
                    channel = opened.channel();
                    inode = opened.inode();
                } else if (last) {
                    return;
                } else {
                    pause();
                }
            }
            // History: the rotated files, then the live file up to its size now; the follow goes on from there.
            long position = channel.size();
            int limit = tail.orElse(Integer.MAX_VALUE);
            Deque<LogEntry> history = new ArrayDeque<>();
            if (limit > 0) {
                Consumer<LogEntry> keep = entry -> {
                    history.addLast(entry);
                    if (history.size() > limit) {
                        history.removeFirst();
                    }
                };
                List<Path> files = files(log);
                for (Path file : files.subList(0, files.size() - 1)) {
                    readWhole(file, keep);
                }
                LineSplitter head = new LineSplitter(keep);
                readRange(channel, 0, position, head);
            }
            for (LogEntry entry : window.select(history)) {
                onEntry.accept(entry);
            }
            boolean[] past = {false};
            LineSplitter lines = new LineSplitter(entry -> {
                if (past[0] || window.isBefore(entry)) {
                    return;
                }
                if (window.isAfter(entry)) {
                    past[0] = true;
                    return;
                }
                onEntry.accept(entry);
            });
            while (!past[0]) {
                boolean last = !keepGoing.getAsBoolean();
                if (channel.size() < position) {
                    position = 0; // truncated in place (max-file 1)
                    lines.reset();
                }
                long before = position;
                position = readRange(channel, position, Long.MAX_VALUE, lines);
                OptionalLong current = FileIdentity.inode(log);
                if (current.isPresent() && current.getAsLong() != inode) {
                    // Rotated: the writer closed the old file before renaming it, so it is final now; read
                    // its rest, then go on with the new live file.
                    readRange(channel, position, Long.MAX_VALUE, lines);
                    lines.reset();
                    Opened next = successorOf(log, inode, lines);
                    if (next != null) {
                        channel.close();
                        channel = next.channel();
                        inode = next.inode();
                        position = 0;
                        lines.reset();
                        continue;
                    }
                }
                if (last) {
                    return;
                }
                if (position == before) {
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

    private record Opened(FileChannel channel, long inode) {
    }

    /** Opens the live file and learns its inode, retrying if a rotation slipped in between; null if missing. */
    private static Opened open(Path log) throws IOException {
        while (true) {
            OptionalLong before = FileIdentity.inode(log);
            FileChannel channel;
            try {
                channel = FileChannel.open(log, StandardOpenOption.READ);
            } catch (NoSuchFileException e) {
                return null;
            }
            OptionalLong after = FileIdentity.inode(log);
            if (before.isPresent() && before.equals(after)) {
                return new Opened(channel, after.getAsLong());
            }
            channel.close();
        }
    }

    /**
     * After the file with {@code finished} was read to its end: reads the rotated files made after it (several
     * rotations may pass between two polls), each found by its generation and held by inode, so a rotation
     * during the walk is noticed and walked too, and returns the live file that follows them, opened. Null when
     * there is no live file, or the finished file is gone (max-file dropped it): the caller keeps polling.
     */
    private static Opened successorOf(Path log, long finished, LineSplitter lines) throws IOException {
        while (true) {
            int generation = generationOf(log, finished);
            if (generation > 1) {
                Opened newer = open(JsonFileLogWriter.rotated(log, generation - 1));
                if (newer == null) {
                    continue; // renamed on while we looked: look again
                }
                if (generationOf(log, finished) != generation) {
                    newer.channel().close();
                    continue;
                }
                try (FileChannel rotated = newer.channel()) {
                    readRange(rotated, 0, Long.MAX_VALUE, lines);
                }
                lines.reset();
                finished = newer.inode();
                continue;
            }
            if (generation < 1) {
                return null;
            }
            Opened live = open(log);
            if (live == null) {
                return null;
            }
            if (generationOf(log, finished) != 1) {
                live.channel().close(); // the file just opened was rotated meanwhile: walk it as a rotated one
                continue;
            }
            return live;
        }
    }

    /** The generation ({@code .N}) the rotated file with {@code inode} has now; -1 when no rotated file has it. */
    private static int generationOf(Path log, long inode) {
        for (int generation = 1; ; generation++) {
            OptionalLong identity = FileIdentity.inode(JsonFileLogWriter.rotated(log, generation));
            if (identity.isEmpty()) {
                return -1;
            }
            if (identity.getAsLong() == inode) {
                return generation;
            }
        }
    }

    /** The rotated files, oldest first, then the live file. */
    static List<Path> files(Path log) {
        List<Path> rotated = new ArrayList<>();
        for (int generation = 1; Files.exists(JsonFileLogWriter.rotated(log, generation)); generation++) {
            rotated.add(0, JsonFileLogWriter.rotated(log, generation));
        }
        rotated.add(log);
        return rotated;
    }

    private static void readWhole(Path file, Consumer<LogEntry> sink) {
        LineSplitter lines = new LineSplitter(sink);
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[64 * 1024];
            int n;
            while ((n = in.read(buffer)) > 0) {
                lines.feed(buffer, n);
            }
        } catch (NoSuchFileException e) {
            // Rotated away between listing and opening: its lines moved to the next name, already listed.
        } catch (IOException e) {
            throw new UncheckedIOException("read log " + file + ": " + e.getMessage(), e);
        }
    }

    /** Feeds bytes [from, to) of the channel (to its end at most) and returns where it stopped. */
    private static long readRange(FileChannel channel, long from, long to, LineSplitter lines) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        long position = from;
        while (position < to) {
            buffer.clear();
            if (to - position < buffer.capacity()) {
                buffer.limit((int) (to - position));
            }
            int n = channel.read(buffer, position);
            if (n <= 0) {
                break;
            }
            lines.feed(buffer.array(), n);
            position += n;
        }
        return position;
    }

    private static void pause() {
        LockSupport.parkNanos(POLL.toNanos());
    }

    /** Splits bytes into json lines; an unfinished line waits for its end. */
    private static final class LineSplitter {
        private final Consumer<LogEntry> sink;
        private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);

        LineSplitter(Consumer<LogEntry> sink) {
            this.sink = sink;
        }

        void feed(byte[] bytes, int length) {
            int start = 0;
            for (int i = 0; i < length; i++) {
                if (bytes[i] == '\n') {
                    if (line.size() == 0) {
                        JsonLogLine.decode(bytes, start, i - start).ifPresent(sink);
                    } else {
                        line.write(bytes, start, i - start);
                        byte[] whole = line.toByteArray();
                        JsonLogLine.decode(whole, 0, whole.length).ifPresent(sink);
                        line.reset();
                    }
                    start = i + 1;
                }
            }
            line.write(bytes, start, length - start);
        }

        void reset() {
            line.reset();
        }
    }
}
