package dev.tallyman.runtime.logs;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * One line of Docker's json-file log, byte for byte as Docker writes it:
 * {@code {"log":"hi\n","stream":"stdout","attrs":{...},"time":"2026-01-02T03:04:05.123456789Z"}\n}. Docker's
 * encoder escapes {@code < > &} and U+2028/U+2029, writes a tab as {@code \u0009} and replaces each invalid
 * UTF-8 byte with {@code \ufffd}; the same rules apply here so a file reads the same to any Docker tool.
 */
public final class JsonLogLine {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final byte[] HEX = "0123456789abcdef".getBytes(StandardCharsets.US_ASCII);

    private JsonLogLine() {
    }

    /** The line with its closing {@code \n}; attrs are written with sorted keys (Go marshals maps so). */
    public static byte[] encode(LogEntry entry) {
        ByteArrayOutputStream out = new ByteArrayOutputStream(entry.bytes().length + 96);
        out.write('{');
        boolean first = true;
        byte[] log = entry.bytes();
        if (log.length > 0) {
            ascii(out, "\"log\":");
            string(out, log);
            first = false;
        }
        if (!first) {
            out.write(',');
        }
        ascii(out, "\"stream\":");
        string(out, ascii(entry.stream() == LogEntry.Stream.STDERR ? "stderr" : "stdout"));
        if (!entry.attrs().isEmpty()) {
            ascii(out, ",\"attrs\":{");
            boolean firstAttr = true;
            for (Map.Entry<String, String> attr : new TreeMap<>(entry.attrs()).entrySet()) {
                if (!firstAttr) {
                    out.write(',');
                }
                firstAttr = false;
                string(out, attr.getKey().getBytes(StandardCharsets.UTF_8));
                out.write(':');
                string(out, attr.getValue().getBytes(StandardCharsets.UTF_8));
            }
            out.write('}');
        }
        ascii(out, ",\"time\":\"" + GoTime.format(entry.time()) + "\"}\n");
        return out.toByteArray();
    }

    /** Reads one line (without or with its {@code \n}); empty for a line that is not a json-file entry. */
    public static Optional<LogEntry> decode(byte[] line, int offset, int length) {
        JsonNode node;
        try {
            node = JSON.readTree(line, offset, length);
        } catch (IOException e) {
            return Optional.empty(); // a torn last line, or not ours
        }
        if (node == null || !node.isObject() || !node.hasNonNull("time")) {
            return Optional.empty();
        }
        Instant time;
        try {
            time = GoTime.parse(node.get("time").asText());
        } catch (java.time.DateTimeException e) {
            return Optional.empty();
        }
        LogEntry.Stream stream = "stderr".equals(node.path("stream").asText()) ? LogEntry.Stream.STDERR
                : LogEntry.Stream.STDOUT;
        Map<String, String> attrs = new LinkedHashMap<>();
        node.path("attrs").fields().forEachRemaining(field -> attrs.put(field.getKey(), field.getValue().asText()));
        byte[] bytes = node.path("log").asText("").getBytes(StandardCharsets.UTF_8);
        return Optional.of(new LogEntry(time, stream, bytes, attrs));
    }

    private static void string(ByteArrayOutputStream out, byte[] s) {
        out.write('"');
        int i = 0;
        while (i < s.length) {
            int b = s[i] & 0xff;
            if (b < 0x80) {
                if (b >= 0x20 && b != '\\' && b != '"' && b != '<' && b != '>' && b != '&') {
                    out.write(b);
                } else if (b == '\\' || b == '"') {
                    out.write('\\');
                    out.write(b);
                } else if (b == '\n') {
                    ascii(out, "\\n");
                } else if (b == '\r') {
                    ascii(out, "\\r");
                } else {
                    ascii(out, "\\u00");
                    out.write(HEX[b >> 4]);
                    out.write(HEX[b & 0xf]);
                }
                i++;
                continue;
            }
            int size = validSequence(s, i);
            if (size == 0) {
                ascii(out, "\\ufffd");
                i++;
                continue;
            }
            // U+2028 and U+2029 are E2 80 A8 / E2 80 A9.
            if (size == 3 && b == 0xe2 && (s[i + 1] & 0xff) == 0x80 && ((s[i + 2] & 0xff) == 0xa8
                    || (s[i + 2] & 0xff) == 0xa9)) {
                ascii(out, "\\u202");
                out.write(HEX[(s[i + 2] & 0xff) == 0xa8 ? 8 : 9]);
            } else {
                out.write(s, i, size);
            }
            i += size;
        }
        out.write('"');
    }

    /** The length of the valid UTF-8 sequence at {@code i}, or 0 (Go's RuneError of width 1). */
    private static int validSequence(byte[] s, int i) {
        int b = s[i] & 0xff;
        int size = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 0;
        if (size == 0 || i + size > s.length) {
            return 0;
        }
        try {
            StandardCharsets.UTF_8.newDecoder().onMalformedInput(CodingErrorAction.REPORT)
                    .onUnmappableCharacter(CodingErrorAction.REPORT).decode(ByteBuffer.wrap(s, i, size));
            return size;
        } catch (CharacterCodingException e) {
            return 0;
        }
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    private static void ascii(ByteArrayOutputStream out, String text) {
        out.writeBytes(ascii(text));
    }
}
