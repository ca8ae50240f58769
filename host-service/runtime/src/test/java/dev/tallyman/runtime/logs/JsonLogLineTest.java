package dev.tallyman.runtime.logs;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class JsonLogLineTest {
    static final Instant T = Instant.parse("2026-01-02T03:04:05.120000000Z");

    record Case(String description, LogEntry entry, String line) {
        @Override
        public String toString() {
            return description;
        }
    }

    static LogEntry out(byte[] bytes) {
        return new LogEntry(T, LogEntry.Stream.STDOUT, bytes);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("plain line", out("hi\n".getBytes()),
                        "{\"log\":\"hi\\n\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.12Z\"}\n"),
                new Case("stderr", new LogEntry(Instant.parse("2026-01-02T03:04:05Z"), LogEntry.Stream.STDERR,
                        "e\n".getBytes()),
                        "{\"log\":\"e\\n\",\"stream\":\"stderr\",\"time\":\"2026-01-02T03:04:05Z\"}\n"),
                new Case("partial without newline", out("abc".getBytes()),
                        "{\"log\":\"abc\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.12Z\"}\n"),
                new Case("html and quotes escaped as Go does", out("<a href=\"x\">&\\\t\r\n".getBytes()),
                        "{\"log\":\"\\u003ca href=\\\"x\\\"\\u003e\\u0026\\\\\\u0009\\r\\n\",\"stream\":\"stdout\","
                                + "\"time\":\"2026-01-02T03:04:05.12Z\"}\n"),
                new Case("utf-8 kept, invalid byte replaced, line separators escaped",
                        out(new byte[] {(byte) 0xc3, (byte) 0xa9, (byte) 0xff, (byte) 0xe2, (byte) 0x80, (byte) 0xa8}),
                        "{\"log\":\"\u00e9\\ufffd\\u2028\",\"stream\":\"stdout\",\"time\":\"2026-01-02T03:04:05.12Z\"}\n"),
                new Case("attrs sorted between stream and time",
                        new LogEntry(T, LogEntry.Stream.STDOUT, "x\n".getBytes(), Map.of("z", "1", "a", "<2>")),
                        "{\"log\":\"x\\n\",\"stream\":\"stdout\",\"attrs\":{\"a\":\"\\u003c2\\u003e\",\"z\":\"1\"},"
                                + "\"time\":\"2026-01-02T03:04:05.12Z\"}\n"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void encodesLikeDocker(Case c) {
        assertThat(new String(JsonLogLine.encode(c.entry()), StandardCharsets.UTF_8)).isEqualTo(c.line());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void decodesWhatItEncodes(Case c) {
        byte[] line = c.line().getBytes(StandardCharsets.UTF_8);
        LogEntry decoded = JsonLogLine.decode(line, 0, line.length).orElseThrow();
        assertThat(decoded.time()).isEqualTo(c.entry().time());
        assertThat(decoded.stream()).isEqualTo(c.entry().stream());
        assertThat(decoded.attrs()).isEqualTo(c.entry().attrs());
        if (!c.description().contains("invalid")) {
            assertThat(decoded.bytes()).isEqualTo(c.entry().bytes());
        }
    }
}
