package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent.ContainerKillRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerKilled;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class EventTailIT {
    private static final int WRITERS = 4;
    private static final int APPENDS_PER_WRITER = 500;

    private FreshSchema schema;
    private JdbcEventStore store;
    private final List<EventTail> tails = new ArrayList<>();

    @BeforeEach
    void openStore() throws SQLException {
        schema = new FreshSchema();
        JdbcEventStore.migrate(schema.dataSource());
        store = new JdbcEventStore(schema.dataSource(), Clock.systemUTC());
    }

    @AfterEach
    void closeAll() throws SQLException {
        try {
            tails.forEach(EventTail::close);
            store.close();
        } finally {
            schema.close();
        }
    }

    @Test
    void tailsSeeEveryEventOnceInOrderWhileWritersRace() throws Exception {
        List<RecordedEvent> signalled = new CopyOnWriteArrayList<>();
        List<RecordedEvent> polling = new CopyOnWriteArrayList<>();
        tails.add(EventTail.start("tail-signalled", store, store.commits(), 0, signalled::add));
        // a tail nobody signals stands for a reader in another process: it finds everything by polling alone
        tails.add(EventTail.start("tail-polling", store, new CommitSignal(), 0, polling::add, Duration.ofMillis(20), 7));

        ExecutorService writers = Executors.newFixedThreadPool(WRITERS);
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            String writer = "w" + w;
            done.add(writers.submit(() -> {
                for (int i = 0; i < APPENDS_PER_WRITER; i++) {
                    // every fifth append carries two events, to mix batch shapes
                    List<ContainerKillRequested> events = i % 5 == 0
                            ? List.of(new ContainerKillRequested(writer, Integer.toString(i)), new ContainerKillRequested(writer, i + "b"))
                            : List.of(new ContainerKillRequested(writer, Integer.toString(i)));
                    store.append(StreamId.container(writer + "-" + (i % 10)), ExpectedVersion.any(), events,
                            Actor.system(writer), UUID.randomUUID());
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        writers.shutdown();
        long total = store.lastPosition();
        assertThat(total).isEqualTo(WRITERS * (APPENDS_PER_WRITER + APPENDS_PER_WRITER / 5));

        awaitPosition(tails.get(0), total);
        awaitPosition(tails.get(1), total);

        List<Long> expected = LongStream.rangeClosed(1, total).boxed().toList();
        assertThat(signalled).extracting(RecordedEvent::position).containsExactlyElementsOf(expected);
        assertThat(polling).extracting(RecordedEvent::position).containsExactlyElementsOf(expected);
        assertThat(tails).allSatisfy(t -> assertThat(t.failure()).isEmpty());
        // each writer's events arrive in the order it wrote them
        Map<String, List<String>> perWriter = new HashMap<>();
        for (RecordedEvent e : signalled) {
            ContainerKillRequested kill = (ContainerKillRequested) e.event();
            perWriter.computeIfAbsent(kill.containerId(), k -> new ArrayList<>()).add(kill.signal());
        }
        assertThat(perWriter).hasSize(WRITERS);
        perWriter.values().forEach(signals -> assertThat(signals.subList(0, 3)).containsExactly("0", "0b", "1"));
        assertThat(store.verify()).isEqualTo(new ChainVerification(total, java.util.Optional.empty(), ""));
    }

    @Test
    void aTailStartedMidwayCatchesUpThenFollows() throws Exception {
        for (int i = 0; i < 30; i++) {
            append("c" + i);
        }
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        EventTail tail = EventTail.start("tail-midway", store, store.commits(), 20, seen::add, Duration.ofMillis(100), 4);
        tails.add(tail);
        awaitPosition(tail, 30);
        append("c30");
        awaitPosition(tail, 31);

        assertThat(seen).extracting(RecordedEvent::position)
                .containsExactlyElementsOf(LongStream.rangeClosed(21, 31).boxed().toList());
    }

    @Test
    void theCommitSignalWakesATailLongBeforeItsPollInterval() throws Exception {
        List<RecordedEvent> seen = new CopyOnWriteArrayList<>();
        EventTail tail = EventTail.start("tail-wakeup", store, store.commits(), 0, seen::add, Duration.ofMinutes(5), 100);
        tails.add(tail);
        Thread.sleep(200); // let it go to sleep on an empty store

        long start = System.nanoTime();
        append("wake");
        awaitPosition(tail, 1);
        Duration latency = Duration.ofNanos(System.nanoTime() - start);

        assertThat(latency).isLessThan(Duration.ofSeconds(2));
        System.out.println("tail latency after commit: " + latency.toMillis() + " ms");
    }

    @Test
    void aConsumerThatThrowsStopsItsTailAndSaysWhy() throws Exception {
        append("a");
        append("b");
        EventTail tail = EventTail.start("tail-failing", store, store.commits(), 0, e -> {
            if (e.position() == 2) {
                throw new IllegalStateException("relay event 2: broker unavailable");
            }
        });
        tails.add(tail);
        long deadline = System.nanoTime() + Duration.ofSeconds(10).toNanos();
        while (tail.isRunning() && System.nanoTime() < deadline) {
            Thread.sleep(10);
        }

        assertThat(tail.isRunning()).isFalse();
        assertThat(tail.position()).as("event 2 was not delivered").isEqualTo(1);
        assertThat(tail.failure()).get().extracting(Throwable::getMessage).isEqualTo("relay event 2: broker unavailable");
    }

    private void append(String containerId) {
        store.append(StreamId.container(containerId), ExpectedVersion.any(), List.of(new ContainerKilled(containerId, "KILL")),
                Actor.system("test"), UUID.randomUUID());
    }

    private static void awaitPosition(EventTail tail, long position) throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        while (tail.position() < position && System.nanoTime() < deadline) {
            Thread.sleep(5);
        }
        assertThat(tail.position()).as("tail position").isEqualTo(position);
    }
}
