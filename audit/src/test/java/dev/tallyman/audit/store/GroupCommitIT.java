package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.LongStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Appends from many callers commit together, reach the commit listener once each and in order, and stay checked. */
class GroupCommitIT {
    private static final Actor SYSTEM = Actor.system("test");

    private FreshSchema schema;
    private JdbcEventStore store;
    private final List<List<RecordedEvent>> commits = Collections.synchronizedList(new ArrayList<>());

    @BeforeEach
    void openStore() throws SQLException {
        schema = new FreshSchema();
        JdbcEventStore.migrate(schema.dataSource());
        store = new JdbcEventStore(schema.dataSource(), Clock.systemUTC());
        store.onCommit(commits::add);
    }

    @AfterEach
    void dropStore() throws SQLException {
        try {
            store.close();
        } finally {
            schema.close();
        }
    }

    @Test
    void appendsToDifferentStreamsInFlightTogetherShareCommits() {
        List<CompletableFuture<List<RecordedEvent>>> inFlight = new ArrayList<>();
        for (int i = 0; i < 64; i++) {
            inFlight.add(store.appendAsync(StreamId.container("c" + i), ExpectedVersion.noStream(),
                    List.of(new ContainerCreated("c" + i)), SYSTEM, UUID.randomUUID()));
        }
        inFlight.forEach(CompletableFuture::join);

        assertThat(store.lastPosition()).isEqualTo(64);
        assertThat(commits.size()).as("commits for 64 appends queued at once").isLessThanOrEqualTo(4);
        assertThat(store.verify().intact()).isTrue();
    }

    @Test
    void theCommitListenerSeesEveryEventOnceInPositionOrder() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> writers = new ArrayList<>();
        for (int t = 0; t < 8; t++) {
            StreamId stream = StreamId.container("w" + t);
            writers.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < 100; i++) {
                    ExpectedVersion expected = i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1);
                    store.append(stream, expected, List.of(new ContainerStartRequested(stream.value())), SYSTEM,
                            UUID.randomUUID());
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> writer : writers) {
            writer.get();
        }
        pool.shutdown();

        List<Long> seen = new ArrayList<>();
        synchronized (commits) {
            commits.forEach(batch -> batch.forEach(e -> seen.add(e.position())));
        }
        assertThat(seen).containsExactlyElementsOf(LongStream.rangeClosed(1, 800).boxed().toList());
        assertThat(commits.size()).as("commits for 800 appends from 8 writers").isLessThan(800);
    }

    @Test
    void anAppendReturnsAfterItsEventsReachedTheListener() {
        List<RecordedEvent> appended = store.append(StreamId.container("c1"), ExpectedVersion.noStream(),
                List.of(new ContainerCreated("c1")), SYSTEM, UUID.randomUUID());

        assertThat(commits).hasSize(1);
        assertThat(commits.get(0)).isEqualTo(appended);
    }

    @Test
    void anotherWriterOnTheSameStoreIsNoticed() {
        StreamId web = StreamId.container("web");
        store.append(web, ExpectedVersion.noStream(), List.of(new ContainerCreated("web")), SYSTEM, UUID.randomUUID());
        try (JdbcEventStore other = new JdbcEventStore(schema.dataSource(), Clock.systemUTC())) {
            // another service sharing the database moves the stream on
            other.append(web, ExpectedVersion.exactly(0), List.of(new ContainerStartRequested("web")), SYSTEM,
                    UUID.randomUUID());
        }

        assertThatThrownBy(() -> store.append(web, ExpectedVersion.exactly(0),
                List.of(new ContainerStartRequested("web")), SYSTEM, UUID.randomUUID()))
                .isInstanceOf(WrongExpectedVersionException.class);
        store.append(web, ExpectedVersion.exactly(1), List.of(new ContainerStartRequested("web")), SYSTEM,
                UUID.randomUUID());
        assertThat(store.lastPosition()).isEqualTo(3);
        assertThat(store.verify().intact()).isTrue();
    }
}
