package dev.tallyman.runtime.logs;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.time.Instant;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Stream;

import static dev.tallyman.runtime.logs.LogEntry.Stream.STDERR;
import static dev.tallyman.runtime.logs.LogEntry.Stream.STDOUT;
import static org.assertj.core.api.Assertions.assertThat;

class ContainerLogReaderTest {
    static final String T1 = "2026-11-25T18:59:49.069251772+00:00";
    static final String T2 = "2026-11-25T18:59:49.069579798+00:00";
    static final String T3 = "2026-11-25T18:59:50.000000001+00:00";

    Path dir;

    @BeforeEach
    void makeDir() throws IOException {
        dir = Files.createTempDirectory("tallyman-log-test");
    }

    @AfterEach
    void removeDir() throws IOException {
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                Files.delete(file);
            }
        }
        Files.delete(dir);
    }

    record Entry(String time, LogEntry.Stream stream, String text) {
        LogEntry toLogEntry() {
            return new LogEntry(Instant.parse(time.replace("+00:00", "Z")), stream, text.getBytes());
        }
    }

    record Case(String description, String file, Optional<Instant> since, Optional<Instant> until, OptionalInt tail,
                List<Entry> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Case all(String description, String file, Entry... expected) {
        return new Case(description, file, Optional.empty(), Optional.empty(), OptionalInt.empty(), List.of(expected));
    }

    static Stream<Case> cases() {
        String three = T1 + " stdout F one\n" + T2 + " stderr F two\n" + T3 + " stdout F three\n";
        return Stream.of(
                all("full lines get their newline back", T1 + " stdout F hello\n", new Entry(T1, STDOUT, "hello\n")),
                all("streams kept apart", T1 + " stdout F out\n" + T2 + " stderr F err\n",
                        new Entry(T1, STDOUT, "out\n"), new Entry(T2, STDERR, "err\n")),
                all("partial pieces joined with the full one", T1 + " stdout P ab\n" + T2 + " stdout F cd\n",
                        new Entry(T1, STDOUT, "abcd\n")),
                all("partials of two streams interleave",
                        T1 + " stdout P ab\n" + T2 + " stderr F x\n" + T3 + " stdout F cd\n",
                        new Entry(T2, STDERR, "x\n"), new Entry(T1, STDOUT, "abcd\n")),
                all("trailing partial without newline", T1 + " stdout P no newline\n",
                        new Entry(T1, STDOUT, "no newline")),
                all("empty line", T1 + " stdout F \n", new Entry(T1, STDOUT, "\n")),
                all("spaces in the text kept", T1 + " stdout F  a  b \n", new Entry(T1, STDOUT, " a  b \n")),
                all("torn last line is ignored until complete", T1 + " stdout F done\n" + T2 + " std",
                        new Entry(T1, STDOUT, "done\n")),
                all("empty file", ""),
                new Case("tail takes the last entries", three, Optional.empty(), Optional.empty(), OptionalInt.of(2),
                        List.of(new Entry(T2, STDERR, "two\n"), new Entry(T3, STDOUT, "three\n"))),
                new Case("tail 0 is nothing", three, Optional.empty(), Optional.empty(), OptionalInt.of(0),
                        List.of()),
                new Case("since is inclusive", three, Optional.of(instant(T2)), Optional.empty(), OptionalInt.empty(),
                        List.of(new Entry(T2, STDERR, "two\n"), new Entry(T3, STDOUT, "three\n"))),
                new Case("until is inclusive", three, Optional.empty(), Optional.of(instant(T2)), OptionalInt.empty(),
                        List.of(new Entry(T1, STDOUT, "one\n"), new Entry(T2, STDERR, "two\n"))),
                new Case("tail before since, as Docker", three, Optional.of(instant(T3)), Optional.empty(),
                        OptionalInt.of(2), List.of(new Entry(T3, STDOUT, "three\n"))));
    }

    static Instant instant(String time) {
        return Instant.parse(time.replace("+00:00", "Z"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void readsK8sFile(Case c) throws IOException {
        Path log = dir.resolve("ctr.log");
        Files.writeString(log, c.file());
        List<LogEntry> entries = new ContainerLogReader().read(log, c.since(), c.until(), c.tail());
        assertThat(entries).containsExactlyElementsOf(c.expected().stream().map(Entry::toLogEntry).toList());
    }

    @Test
    void missingLogReadsEmpty() {
        assertThat(new ContainerLogReader().read(dir.resolve("none"), Optional.empty(), Optional.empty(),
                OptionalInt.empty())).isEmpty();
    }

    @Test
    void bytesThatAreNotUtf8SurviveUnchanged() throws IOException {
        Path log = dir.resolve("bin.log");
        byte[] prefix = (T1 + " stdout F ").getBytes();
        byte[] line = new byte[prefix.length + 3];
        System.arraycopy(prefix, 0, line, 0, prefix.length);
        line[prefix.length] = (byte) 0xff;
        line[prefix.length + 1] = (byte) 0x00;
        line[prefix.length + 2] = '\n';
        Files.write(log, line);
        LogEntry entry = new ContainerLogReader().read(log, Optional.empty(), Optional.empty(), OptionalInt.empty())
                .get(0);
        assertThat(entry.bytes()).containsExactly((byte) 0xff, (byte) 0x00, (byte) '\n');
    }

    @Test
    void followSeesAppendsAndDrainsAfterStop() throws Exception {
        Path log = dir.resolve("follow.log");
        Files.writeString(log, T1 + " stdout F before\n");
        List<LogEntry> seen = new CopyOnWriteArrayList<>();
        AtomicBoolean keepGoing = new AtomicBoolean(true);
        Thread follower = new Thread(() -> new ContainerLogReader().follow(log, false, seen::add, keepGoing::get));
        follower.start();
        try {
            Thread.sleep(50);
            Files.writeString(log, T2 + " stdout F during\n", StandardOpenOption.APPEND);
            long deadline = System.nanoTime() + 2_000_000_000L;
            while (seen.isEmpty() && System.nanoTime() < deadline) {
                Thread.sleep(1);
            }
            assertThat(seen).extracting(LogEntry::text).containsExactly("during\n");
            // Written just before the stop: must still be delivered.
            Files.writeString(log, T3 + " stderr F last\n", StandardOpenOption.APPEND);
            keepGoing.set(false);
            follower.join(2_000);
            assertThat(follower.isAlive()).isFalse();
            assertThat(seen).extracting(LogEntry::text).containsExactly("during\n", "last\n");
        } finally {
            keepGoing.set(false);
            follower.join(2_000);
        }
    }

    @Test
    void followFromStartReadsWhatIsThere() throws Exception {
        Path log = dir.resolve("start.log");
        Files.writeString(log, T1 + " stdout F a\n" + T2 + " stdout P b");
        List<LogEntry> seen = new CopyOnWriteArrayList<>();
        new ContainerLogReader().follow(log, true, seen::add, () -> false);
        assertThat(seen).extracting(LogEntry::text).containsExactly("a\n");
    }
}
