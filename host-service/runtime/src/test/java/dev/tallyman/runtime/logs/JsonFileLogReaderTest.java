package dev.tallyman.runtime.logs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

class JsonFileLogReaderTest {
    Path dir;
    Path log;
    final JsonFileLogReader reader = new JsonFileLogReader();

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("tallyman-json-reader-test");
        log = dir.resolve("c-json.log");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (Stream<Path> paths = Files.walk(dir)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.delete(path);
            }
        }
    }

    static Instant at(int second) {
        return Instant.parse("2026-01-02T03:04:00Z").plusSeconds(second);
    }

    static byte[] line(int n) {
        return JsonLogLine.encode(new LogEntry(at(n), LogEntry.Stream.STDOUT, ("line " + n + "\n").getBytes()));
    }

    /** Lines 0-2 in .2, 3-5 in .1, 6-7 live. */
    void rotatedFiles() throws IOException {
        for (int n = 0; n < 8; n++) {
            Path file = n < 3 ? dir.resolve("c-json.log.2") : n < 6 ? dir.resolve("c-json.log.1") : log;
            Files.write(file, line(n), StandardOpenOption.CREATE, StandardOpenOption.APPEND);
        }
    }

    List<String> texts(List<LogEntry> entries) {
        return entries.stream().map(LogEntry::text).toList();
    }

    @Test
    void readsAcrossRotatedFilesOldestFirst() throws IOException {
        rotatedFiles();
        assertThat(texts(reader.read(log, Optional.empty(), Optional.empty(), OptionalInt.empty())))
                .containsExactly("line 0\n", "line 1\n", "line 2\n", "line 3\n", "line 4\n", "line 5\n", "line 6\n",
                        "line 7\n");
    }

    @Test
    void tailThenSinceAndUntil() throws IOException {
        rotatedFiles();
        assertThat(texts(reader.read(log, Optional.empty(), Optional.empty(), OptionalInt.of(3))))
                .containsExactly("line 5\n", "line 6\n", "line 7\n");
        assertThat(texts(reader.read(log, Optional.of(at(2)), Optional.of(at(4)), OptionalInt.empty())))
                .containsExactly("line 2\n", "line 3\n", "line 4\n");
        assertThat(texts(reader.read(log, Optional.of(at(6)), Optional.empty(), OptionalInt.of(4))))
                .containsExactly("line 6\n", "line 7\n");
        assertThat(reader.read(log, Optional.empty(), Optional.empty(), OptionalInt.of(0))).isEmpty();
        assertThat(reader.read(dir.resolve("missing"), Optional.empty(), Optional.empty(), OptionalInt.empty())).isEmpty();
    }

    @Test
    void attrsAreReadBack() throws IOException {
        Files.write(log, JsonLogLine.encode(new LogEntry(at(1), LogEntry.Stream.STDERR, "x\n".getBytes(),
                Map.of("app", "web"))));
        LogEntry entry = reader.read(log, Optional.empty(), Optional.empty(), OptionalInt.empty()).get(0);
        assertThat(entry.attrs()).isEqualTo(Map.of("app", "web"));
        assertThat(entry.stream()).isEqualTo(LogEntry.Stream.STDERR);
    }

    @Test
    void followGoesOnAcrossRotations() throws Exception {
        Path spool = dir.resolve("spool.log");
        int lineLength = line(0).length;
        List<String> seen = Collections.synchronizedList(new ArrayList<>());
        AtomicBoolean writing = new AtomicBoolean(true);
        try (JsonFileLogShipper shipper = new JsonFileLogShipper(spool, log,
                new JsonFileLogOptions(2L * lineLength, 50, Map.of()))) {
            Files.writeString(spool, k8s(0) + k8s(1) + k8s(2));
            shipper.drain();
            Thread follower = new Thread(() -> reader.follow(log, Optional.empty(), Optional.empty(), OptionalInt.of(2),
                    entry -> seen.add(entry.text()), writing::get));
            follower.start();
            long deadline = System.nanoTime() + 5_000_000_000L;
            while (seen.size() < 2 && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            for (int n = 3; n < 40; n++) {
                Files.writeString(spool, k8s(n), StandardOpenOption.APPEND);
                shipper.drain();
                if (n % 5 == 0) {
                    Thread.sleep(3);
                }
            }
            writing.set(false);
            follower.join(10_000);
            assertThat(follower.isAlive()).isFalse();
        }
        List<String> expected = new ArrayList<>();
        for (int n = 1; n < 40; n++) {
            expected.add("line " + n + "\n");
        }
        assertThat(dir.resolve("c-json.log.10")).exists();
        assertThat(seen).isEqualTo(expected);
    }

    static String k8s(int n) {
        return at(n).toString().replace("Z", "+00:00") + " stdout F line " + n + "\n";
    }
}
