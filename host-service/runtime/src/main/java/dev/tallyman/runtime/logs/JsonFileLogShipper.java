package dev.tallyman.runtime.logs;

import java.io.Closeable;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.time.Duration;
import java.time.Instant;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.OptionalLong;
import java.util.concurrent.locks.LockSupport;

/**
 * Copies conmon's k8s-file (the spool) into Docker's json-file log, one json line per k8s record: an F record
 * becomes {@code "log":"text\n"}, a P record (a piece of a longer line) {@code "log":"text"} without the newline,
 * which is how Docker's json-file writes a partial message. Rotation follows {@link JsonFileLogOptions}.
 *
 * <p>Progress is kept in a state file next to the spool ({@code <spool>.shipped}): the spool's inode and the
 * offset shipped so far, and the json log's inode and size at that moment. It is written after every batch and
 * after every rotation, so after a restart (or a kill) shipping resumes exactly there: json lines past the
 * recorded size were not acknowledged and are cut off, then shipped again from the recorded spool offset. So
 * nothing is lost or doubled while conmon keeps the spool. conmon replaces the spool by an empty file when it
 * reaches {@code --log-size-max}; a running shipper drains the old file first, but output that fills the spool
 * more than once while no shipper runs is lost beyond the last replacement.
 */
public final class JsonFileLogShipper implements Closeable {
    /** How soon the background thread looks again after it found new spool records. */
    public static final Duration POLL = Duration.ofMillis(10);
    /**
     * The longest pause between two looks at a quiet spool: a sleeping container costs the service next to
     * nothing, and a line it prints after a long silence reaches {@code docker logs} within this.
     */
    public static final Duration QUIET_POLL = Duration.ofMillis(80);
    private static final System.Logger LOG = System.getLogger(JsonFileLogShipper.class.getName());

    private final Path spool;
    private final Path stateFile;
    private final JsonFileLogOptions options;
    private final JsonFileLogWriter writer;
    private FileChannel spoolChannel;
    private long spoolInode = -1;
    private long position;
    private State saved;
    private byte[] buffer = new byte[64 * 1024];
    private volatile boolean running;
    private Thread thread;

    /** Progress as persisted: spool inode and shipped offset, json log inode and size. */
    record State(long spoolInode, long spoolOffset, long logInode, long logSize) {
    }

    /**
     * Opens the json log (creating it), repairs it from the state file if an earlier shipper stopped between
     * writing and recording, and positions on the spool; ships nothing yet.
     */
    public JsonFileLogShipper(Path spool, Path log, JsonFileLogOptions options) {
        this.spool = spool;
        this.stateFile = stateFileOf(spool);
        this.options = options;
        try {
            saved = readState(stateFile);
            if (saved != null) {
                repair(log, saved);
            }
            writer = new JsonFileLogWriter(log, options);
        } catch (IOException e) {
            throw new UncheckedIOException("open json log " + log + ": " + e.getMessage(), e);
        }
    }

    /** Where the shipper records its progress for {@code spool}; remove it together with the spool. */
    public static Path stateFileOf(Path spool) {
        return spool.resolveSibling(spool.getFileName() + ".shipped");
    }

    /** Ships in a background thread every {@link #POLL} until {@link #close}. */
    public synchronized JsonFileLogShipper start() {
        if (thread == null) {
            running = true;
            thread = new Thread(this::loop, "tallyman-log-shipper-" + spool.getFileName());
            thread.setDaemon(true);
            thread.start();
        }
        return this;
    }

    /**
     * Ships every complete record the spool holds now and records the progress. Call after the container's exit
     * file appeared (conmon has drained the container's output into the spool by then) so the json log is
     * complete before the exit is reported.
     */
    public synchronized void drain() {
        try {
            shipAvailable();
        } catch (IOException e) {
            throw new UncheckedIOException("ship log " + spool + ": " + e.getMessage(), e);
        }
    }

    /** Stops the thread, ships what is left and records the progress; the json log stays. */
    @Override
    public void close() {
        running = false;
        Thread current;
        synchronized (this) {
            current = thread;
        }
        if (current != null) {
            // Wake it from its poll, never interrupt it: an interrupt during a read closes the spool and json
            // channels (ClosedByInterruptException), and the final ship below would then lose the last lines.
            LockSupport.unpark(current);
            try {
                current.join(5_000);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        synchronized (this) {
            try {
                shipAvailable();
            } catch (IOException e) {
                throw new UncheckedIOException("ship log " + spool + ": " + e.getMessage(), e);
            } finally {
                closeQuietly();
            }
        }
    }

    private void loop() {
        long pause = POLL.toNanos();
        while (running) {
            boolean progressed = false;
            try {
                synchronized (this) {
                    progressed = shipAvailable();
                }
            } catch (IOException | RuntimeException e) {
                // A full disk or a vanished folder: say so, keep the offset, try again on the next poll.
                LOG.log(System.Logger.Level.WARNING, "ship log " + spool + ": " + e.getMessage());
            }
            pause = progressed ? POLL.toNanos() : Math.min(pause * 2, QUIET_POLL.toNanos());
            LockSupport.parkNanos(pause);
        }
    }

    /** Ships what the spool holds now; true when something was shipped. */
    private boolean shipAvailable() throws IOException {
        if (spoolChannel == null && !openSpool()) {
            return false;
        }
        boolean progressed = false;
        while (true) {
            int filled = 0;
            int read;
            // Read from the first unshipped byte; whatever line is unfinished is read again next time.
            while (filled < buffer.length
                    && (read = spoolChannel.read(ByteBuffer.wrap(buffer, filled, buffer.length - filled),
                    position + filled)) > 0) {
                filled += read;
            }
            int consumed = shipLines(filled);
            if (consumed > 0) {
                progressed = true;
                continue;
            }
            if (filled == buffer.length) {
                buffer = Arrays.copyOf(buffer, buffer.length * 2); // one record longer than the buffer
                continue;
            }
            // At the end of this file: if conmon replaced the spool, the rest is in the new one.
            OptionalLong current = FileIdentity.inode(spool);
            if (current.isPresent() && current.getAsLong() != spoolInode) {
                spoolChannel.close();
                spoolChannel = null;
                if (!openSpoolAtStart()) {
                    break;
                }
                progressed = true;
                continue;
            }
            break;
        }
        if (progressed || saved == null) {
            save();
        }
        return progressed;
    }

    /** Ships the complete lines in buffer[0, filled); returns the bytes consumed. */
    private int shipLines(int filled) throws IOException {
        int start = 0;
        for (int i = 0; i < filled; i++) {
            if (buffer[i] != '\n') {
                continue;
            }
            LogEntry entry = fromK8s(buffer, start, i - start);
            if (entry != null) {
                if (writer.write(JsonLogLine.encode(entry))) {
                    // Record the rotation at once: recovery can then only ever meet the live file or .1.
                    // The line just written is past the recorded size 0: recovery would cut it and ship it again.
                    writeState(new State(spoolInode, position + start, inodeOf(writer.file()), 0));
                }
            }
            start = i + 1;
        }
        position += start;
        return start;
    }

    private LogEntry fromK8s(byte[] bytes, int offset, int length) {
        int end = offset + length;
        int first = indexOf(bytes, offset, end);
        int second = first < 0 ? -1 : indexOf(bytes, first + 1, end);
        int third = second < 0 ? -1 : indexOf(bytes, second + 1, end);
        if (third < 0) {
            return null;
        }
        Instant time;
        try {
            time = GoTime.parse(new String(bytes, offset, first - offset, StandardCharsets.US_ASCII));
        } catch (java.time.DateTimeException e) {
            return null;
        }
        boolean stderr = new String(bytes, first + 1, second - first - 1, StandardCharsets.US_ASCII).equals("stderr");
        boolean partial = bytes[second + 1] == 'P';
        int textLength = end - third - 1;
        byte[] text = Arrays.copyOfRange(bytes, third + 1, third + 1 + textLength + (partial ? 0 : 1));
        if (!partial) {
            text[textLength] = '\n';
        }
        return new LogEntry(time, stderr ? LogEntry.Stream.STDERR : LogEntry.Stream.STDOUT, text, options.attrs());
    }

    private static int indexOf(byte[] bytes, int from, int end) {
        for (int i = from; i < end; i++) {
            if (bytes[i] == ' ') {
                return i;
            }
        }
        return -1;
    }

    /** First open: continue from the recorded offset if the spool is still the recorded file. */
    private boolean openSpool() throws IOException {
        if (!openSpoolAtStart()) {
            return false;
        }
        if (saved != null && saved.spoolInode() == spoolInode && spoolChannel.size() >= saved.spoolOffset()) {
            position = saved.spoolOffset();
        }
        return true;
    }

    private boolean openSpoolAtStart() throws IOException {
        try {
            spoolChannel = FileChannel.open(spool, StandardOpenOption.READ);
        } catch (NoSuchFileException e) {
            return false;
        }
        spoolInode = inodeOf(spool);
        position = 0;
        return true;
    }

    private void save() throws IOException {
        State state = new State(spoolInode, position, inodeOf(writer.file()), writer.size());
        if (!state.equals(saved)) {
            writeState(state);
        }
    }

    private void writeState(State state) throws IOException {
        Path temporary = stateFile.resolveSibling(stateFile.getFileName() + ".tmp");
        Files.writeString(temporary, "spool-inode " + state.spoolInode() + "\nspool-offset " + state.spoolOffset()
                + "\nlog-inode " + state.logInode() + "\nlog-size " + state.logSize() + "\n");
        Files.move(temporary, stateFile, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        saved = state;
    }

    static State readState(Path file) throws IOException {
        String text;
        try {
            text = Files.readString(file);
        } catch (NoSuchFileException e) {
            return null;
        }
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split(" ");
            if (fields.length == 2) {
                values.put(fields[0], Long.parseLong(fields[1]));
            }
        }
        return new State(values.getOrDefault("spool-inode", -1L), values.getOrDefault("spool-offset", 0L),
                values.getOrDefault("log-inode", -1L), values.getOrDefault("log-size", 0L));
    }

    /**
     * Cuts what was written after the last record. The recorded log file is the live one or, if a rotation
     * happened after the record, {@code .1} (rotations are recorded at once, so never older); in that case the
     * live file holds only unrecorded lines and is emptied. A live file shorter than recorded was truncated in
     * place by a max-file=1 rotation after the record: all of it is unrecorded.
     */
    private static void repair(Path log, State state) throws IOException {
        OptionalLong live = FileIdentity.inode(log);
        if (live.isPresent() && live.getAsLong() == state.logInode()) {
            truncate(log, Files.size(log) >= state.logSize() ? state.logSize() : 0);
            return;
        }
        Path previous = JsonFileLogWriter.rotated(log, 1);
        OptionalLong older = FileIdentity.inode(previous);
        if (older.isPresent() && older.getAsLong() == state.logInode()) {
            truncate(previous, Math.min(state.logSize(), Files.size(previous)));
            if (live.isPresent()) {
                truncate(log, 0);
            }
        }
    }

    private static void truncate(Path file, long size) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            if (channel.size() > size) {
                channel.truncate(size);
            }
        }
    }

    private static long inodeOf(Path file) {
        return FileIdentity.inode(file).orElse(-1);
    }

    private void closeQuietly() {
        try {
            if (spoolChannel != null) {
                spoolChannel.close();
            }
            writer.close();
        } catch (IOException e) {
            // Read channel and an append-only writer already flushed by write(): nothing to lose on close.
        }
    }
}
