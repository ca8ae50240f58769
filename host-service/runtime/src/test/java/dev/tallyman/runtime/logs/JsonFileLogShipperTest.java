package dev.tallyman.runtime.logs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class JsonFileLogShipperTest {
    Path dir;
    Path spool;
    Path log;
    final JsonFileLogReader reader = new JsonFileLogReader();

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("tallyman-shipper-test");
        spool = dir.resolve("container.log");
        log = dir.resolve("c1-json.log");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    /** conmon's k8s-file record: {@code <time> <stream> F|P <text>}. */
    void spoolWrite(String... records) throws IOException {
        StringBuilder text = new StringBuilder();
        for (String record : records) {
            text.append(record).append('\n');
        }
        Files.writeString(spool, text, StandardOpenOption.CREATE, StandardOpenOption.APPEND);
    }

    static String record(int n) {
        return String.format("2026-01-02T03:04:%02d.000000001+00:00 stdout F line %03d", n % 60, n);
    }

    void spoolLines(int from, int to) throws IOException {
        List<String> records = new ArrayList<>();
        for (int n = from; n < to; n++) {
            records.add(record(n));
        }
        spoolWrite(records.toArray(String[]::new));
    }

    List<String> shipped() {
        return reader.read(log, Optional.empty(), Optional.empty(), OptionalInt.empty()).stream()
                .map(LogEntry::text).toList();
    }

    static List<String> expected(int from, int to) {
        List<String> lines = new ArrayList<>();
        for (int n = from; n < to; n++) {
            lines.add(String.format("line %03d\n", n));
        }
        return lines;
    }

    @Test
    void writesDockerLinesWithPartialsAsTheirOwnLines() throws IOException {
        spoolWrite("2026-01-02T04:04:05.5+01:00 stdout F hello",
                "2026-01-02T03:04:06.000000001+00:00 stderr P abc",
                "2026-01-02T03:04:06.000000002+00:00 stderr F def");
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log,
                new JsonFileLogOptions(-1, 1, Map.of("app", "web")))) {
            shipper.drain();
        }
        assertThat(Files.readString(log)).isEqualTo(
                "{\"log\":\"hello\\n\",\"stream\":\"stdout\",\"attrs\":{\"app\":\"web\"},\"time\":\"2026-01-02T03:04:05.5Z\"}\n"
                + "{\"log\":\"abc\",\"stream\":\"stderr\",\"attrs\":{\"app\":\"web\"},\"time\":\"2026-01-02T03:04:06.000000001Z\"}\n"
                + "{\"log\":\"def\\n\",\"stream\":\"stderr\",\"attrs\":{\"app\":\"web\"},\"time\":\"2026-01-02T03:04:06.000000002Z\"}\n");
    }

    @Test
    void anUnfinishedRecordWaitsForItsEnd() throws IOException {
        Files.writeString(spool, record(1) + "\n2026-01-02T03:04:05.0+00:00 stdout F hal");
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, JsonFileLogOptions.defaults())) {
            shipper.drain();
            assertThat(shipped()).containsExactly("line 001\n");
            Files.writeString(spool, "f\n", StandardOpenOption.APPEND);
            shipper.drain();
            assertThat(shipped()).containsExactly("line 001\n", "half\n");
        }
    }

    @Test
    void rotatesLikeDockerAndDropsTheOldest() throws IOException {
        int lineLength = JsonLogLine.encode(new LogEntry(java.time.Instant.parse("2026-01-02T03:04:01.000000001Z"),
                LogEntry.Stream.STDOUT, "line 001\n".getBytes())).length;
        // Room for three lines per file: the fourth finds the file at max-size and rotates first.
        JsonFileLogOptions options = new JsonFileLogOptions(3L * lineLength, 3, Map.of());
        spoolLines(0, 10);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        assertThat(Files.size(log)).isEqualTo(lineLength);
        assertThat(Files.size(dir.resolve("c1-json.log.1"))).isEqualTo(3L * lineLength);
        assertThat(Files.size(dir.resolve("c1-json.log.2"))).isEqualTo(3L * lineLength);
        assertThat(dir.resolve("c1-json.log.3")).doesNotExist();
        // Lines 0-2 went with the dropped file.
        assertThat(shipped()).isEqualTo(expected(3, 10));
    }

    @Test
    void maxFileOneTruncatesInPlace() throws IOException {
        spoolLines(0, 5);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, new JsonFileLogOptions(100, 1, Map.of()))) {
            shipper.drain();
        }
        assertThat(dir.resolve("c1-json.log.1")).doesNotExist();
        assertThat(shipped()).isEqualTo(expected(4, 5));
    }

    @Test
    void restartContinuesWhereItStoppedWithoutLossOrDuplicates() throws IOException {
        spoolLines(0, 5);
        JsonFileLogOptions options = new JsonFileLogOptions(400, 5, Map.of());
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        spoolLines(5, 12); // written while Tallyman is away
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        assertThat(shipped()).isEqualTo(expected(0, 12));
    }

    @Test
    void aKillBetweenWritingAndRecordingShipsTheBatchOnce() throws IOException {
        JsonFileLogOptions options = new JsonFileLogOptions(400, 5, Map.of());
        Path state = JsonFileLogShipper.stateFileOf(spool);
        spoolLines(0, 3);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        Path recorded = dir.resolve("recorded");
        Files.copy(state, recorded);
        spoolLines(3, 9); // enough to rotate once
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        assertThat(dir.resolve("c1-json.log.1")).exists();
        // As if the process died after writing the lines but before recording them.
        Files.move(recorded, state, StandardCopyOption.REPLACE_EXISTING);
        spoolLines(9, 11);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, options)) {
            shipper.drain();
        }
        assertThat(shipped()).isEqualTo(expected(0, 11));
    }

    @Test
    void aReplacedSpoolIsDrainedBeforeTheNewOne() throws IOException {
        spoolLines(0, 2);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, JsonFileLogOptions.defaults())) {
            shipper.drain();
            spoolLines(2, 4);
            // conmon at --log-size-max: a new empty file renamed over the spool.
            Path fresh = dir.resolve("container.log.tmp");
            Files.writeString(fresh, record(4) + "\n");
            Files.move(fresh, spool, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            shipper.drain();
            assertThat(shipped()).isEqualTo(expected(0, 5));
        }
        // A restart keeps its place in the new spool.
        spoolLines(5, 6);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, JsonFileLogOptions.defaults())) {
            shipper.drain();
        }
        assertThat(shipped()).isEqualTo(expected(0, 6));
    }

    @Test
    void backgroundThreadShipsAsTheSpoolGrows() throws Exception {
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log, JsonFileLogOptions.defaults()).start()) {
            spoolLines(0, 3);
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (shipped().size() < 3 && System.nanoTime() < deadline) {
                Thread.sleep(5);
            }
            assertThat(shipped()).isEqualTo(expected(0, 3));
        }
        assertThat(new String(Files.readAllBytes(JsonFileLogShipper.stateFileOf(spool)), StandardCharsets.UTF_8))
                .contains("spool-offset " + Files.size(spool));
    }
}
