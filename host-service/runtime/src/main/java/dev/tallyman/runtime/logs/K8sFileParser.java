package dev.tallyman.runtime.logs;

import java.io.ByteArrayOutputStream;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.util.EnumMap;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Turns conmon's k8s-file bytes ({@code <RFC3339Nano> stdout|stderr F|P <text>\n}) into entries. A P piece is
 * kept per stream and joined with the pieces that follow on the same stream until an F piece ends the line
 * (stdout and stderr pieces may interleave). Input may stop mid-line; the rest waits for the next bytes.
 */
final class K8sFileParser {
    private final Consumer<LogEntry> sink;
    private final ByteArrayOutputStream line = new ByteArrayOutputStream(256);
    private final Map<LogEntry.Stream, Partial> partials = new EnumMap<>(LogEntry.Stream.class);

    private static final class Partial {
        final Instant time;
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();

        Partial(Instant time) {
            this.time = time;
        }
    }

    K8sFileParser(Consumer<LogEntry> sink) {
        this.sink = sink;
    }

    void feed(byte[] buffer, int offset, int length) {
        int start = offset;
        int end = offset + length;
        for (int i = offset; i < end; i++) {
            if (buffer[i] == '\n') {
                line.write(buffer, start, i - start);
                parseLine(line.toByteArray());
                line.reset();
                start = i + 1;
            }
        }
        line.write(buffer, start, end - start);
    }

    boolean hasPartials() {
        return !partials.isEmpty();
    }

    /** Emits unfinished lines as they are: the container ended (or paused) without a newline. */
    void flushPartials() {
        for (LogEntry.Stream stream : LogEntry.Stream.values()) {
            Partial partial = partials.remove(stream);
            if (partial != null) {
                sink.accept(new LogEntry(partial.time, stream, partial.bytes.toByteArray()));
            }
        }
    }

    private void parseLine(byte[] bytes) {
        int first = indexOf(bytes, 0);
        int second = first < 0 ? -1 : indexOf(bytes, first + 1);
        int third = second < 0 ? -1 : indexOf(bytes, second + 1);
        if (third < 0) {
            return; // Not a k8s-file line (an empty line or a torn write); nothing a user wrote is in it.
        }
        Instant time;
        try {
            time = OffsetDateTime.parse(new String(bytes, 0, first, java.nio.charset.StandardCharsets.US_ASCII))
                    .toInstant();
        } catch (java.time.DateTimeException e) {
            return;
        }
        String streamName = new String(bytes, first + 1, second - first - 1, java.nio.charset.StandardCharsets.US_ASCII);
        LogEntry.Stream stream = streamName.equals("stderr") ? LogEntry.Stream.STDERR : LogEntry.Stream.STDOUT;
        boolean partialPiece = bytes[second + 1] == 'P';
        Partial partial = partials.get(stream);
        if (partial == null) {
            partial = new Partial(time);
        }
        partial.bytes.write(bytes, third + 1, bytes.length - third - 1);
        if (partialPiece) {
            partials.put(stream, partial);
        } else {
            partials.remove(stream);
            partial.bytes.write('\n');
            sink.accept(new LogEntry(partial.time, stream, partial.bytes.toByteArray()));
        }
    }

    private static int indexOf(byte[] bytes, int from) {
        for (int i = from; i < bytes.length; i++) {
            if (bytes[i] == ' ') {
                return i;
            }
        }
        return -1;
    }
}
