package dev.tallyman.runtime.logs;

import java.time.Instant;
import java.util.Arrays;
import java.util.Map;

/**
 * One line a container wrote (with its {@code \n}), or the unfinished rest of one when the container ended or
 * paused mid-line.
 *
 * @param time when conmon read the first piece of it
 * @param stream which of the container's outputs it came from
 * @param bytes the bytes as written, not decoded
 * @param attrs the json-file line's {@code attrs} (log-opt labels, env, tag), shown by {@code docker logs --details};
 *              empty for k8s-file entries
 */
public record LogEntry(Instant time, Stream stream, byte[] bytes, Map<String, String> attrs) {
    public enum Stream { STDOUT, STDERR }

    public LogEntry {
        bytes = bytes.clone();
        attrs = Map.copyOf(attrs);
    }

    public LogEntry(Instant time, Stream stream, byte[] bytes) {
        this(time, stream, bytes, Map.of());
    }

    @Override
    public byte[] bytes() {
        return bytes.clone();
    }

    /** The bytes as UTF-8 text (for tests and messages). */
    public String text() {
        return new String(bytes, java.nio.charset.StandardCharsets.UTF_8);
    }

    @Override
    public boolean equals(Object other) {
        return other instanceof LogEntry entry && time.equals(entry.time) && stream == entry.stream
                && Arrays.equals(bytes, entry.bytes) && attrs.equals(entry.attrs);
    }

    @Override
    public int hashCode() {
        return 31 * (31 * (31 * time.hashCode() + stream.hashCode()) + Arrays.hashCode(bytes)) + attrs.hashCode();
    }

    @Override
    public String toString() {
        return "LogEntry[" + time + " " + stream + (attrs.isEmpty() ? "" : " " + attrs) + " "
                + text().replace("\n", "\\n") + "]";
    }
}
