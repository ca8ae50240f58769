package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.CommandRefused;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerEvent.ContainerDied;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerStarted;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class JdbcEventStoreIT {
    private static final Instant NOW = Instant.parse("2024-05-01T10:15:30.123456789Z");
    private static final Actor ALICE = Actor.socket(1000, 4242, "alice");

    private FreshSchema schema;
    private JdbcEventStore store;

    @BeforeEach
    void openStore() throws SQLException {
        schema = new FreshSchema();
        JdbcEventStore.migrate(schema.dataSource());
        store = new JdbcEventStore(schema.dataSource(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    @AfterEach
    void dropStore() throws SQLException {
        try {
            if (store != null) {
                store.close();
            }
        } finally {
            schema.close();
        }
    }

    @Test
    void appendedEventsReadBackWithTheirEnvelope() {
        UUID correlation = UUID.randomUUID();
        StreamId web = StreamId.container("3f2a");
        Instant started = Instant.parse("2024-05-01T10:15:29Z");

        List<RecordedEvent> appended = store.append(web, ExpectedVersion.noStream(),
                List.of(new ContainerStartRequested("3f2a"), new ContainerStarted("3f2a", 777, started)), ALICE, correlation);

        assertThat(appended).extracting(RecordedEvent::position).containsExactly(1L, 2L);
        assertThat(appended).extracting(RecordedEvent::version).containsExactly(0L, 1L);
        assertThat(appended.get(1).previousHash()).isEqualTo(appended.get(0).hash());
        assertThat(appended.get(0).previousHash()).isEqualTo(EventHash.GENESIS);
        List<RecordedEvent> read = store.readStream(web);
        assertThat(read).isEqualTo(appended);
        RecordedEvent second = read.get(1);
        assertThat(second.type()).isEqualTo("container.started");
        assertThat(second.event()).isEqualTo(new ContainerStarted("3f2a", 777, started));
        assertThat(second.actor()).isEqualTo(ALICE);
        assertThat(second.correlationId()).isEqualTo(correlation);
        assertThat(second.occurredAt()).as("PostgreSQL keeps microseconds")
                .isEqualTo(Instant.parse("2024-05-01T10:15:30.123456Z"));
        assertThat(store.readAll(0, 10)).isEqualTo(appended);
        assertThat(store.readAll(1, 10)).containsExactly(appended.get(1));
        assertThat(store.readStream(StreamId.container("nothing"))).isEmpty();
        assertThat(store.lastPosition()).isEqualTo(2);
    }

    @Test
    void emptyStoreHasPositionZeroAndAnIntactChain() {
        assertThat(store.lastPosition()).isZero();
        assertThat(store.readAll(0, 10)).isEmpty();
        assertThat(store.verify()).isEqualTo(new ChainVerification(0, Optional.empty(), ""));
    }

    @Test
    void readBetweenTakesEventsByTimeHalfOpen() throws SQLException {
        store.close();
        MutableClock clock = new MutableClock(Instant.parse("2024-05-01T10:00:00Z"));
        store = new JdbcEventStore(schema.dataSource(), clock);
        for (int i = 0; i < 5; i++) {
            store.append(StreamId.IMAGES, ExpectedVersion.any(), List.of(new ImageTagged("sha256:" + i, "x:" + i)),
                    Actor.system("test"), UUID.randomUUID());
            clock.advance(Duration.ofMinutes(1));
        }

        List<RecordedEvent> between = store.readBetween(Instant.parse("2024-05-01T10:01:00Z"),
                Instant.parse("2024-05-01T10:03:00Z"), 100);

        assertThat(between).extracting(RecordedEvent::position).containsExactly(2L, 3L);
        assertThat(store.readBetween(Instant.parse("2024-05-01T10:00:00Z"), Instant.parse("2024-05-01T11:00:00Z"), 2))
                .extracting(RecordedEvent::position).containsExactly(1L, 2L);
    }

    @Test
    void expectedVersionsAreChecked() {
        StreamId stream = StreamId.container("c1");
        store.append(stream, ExpectedVersion.noStream(), List.of(new ContainerCreated("c1")), ALICE, UUID.randomUUID());

        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.noStream(),
                List.of(new ContainerCreated("c1")), ALICE, UUID.randomUUID()))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.stream()).isEqualTo(stream);
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.noStream());
                    assertThat(e.actual()).contains(0L);
                    assertThat(e.getMessage()).contains("container-c1").contains("actual 0");
                });
        assertThatThrownBy(() -> store.append(stream, ExpectedVersion.exactly(3),
                List.of(new ContainerCreated("c1")), ALICE, UUID.randomUUID()))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.expected()).isEqualTo(ExpectedVersion.exactly(3));
                    assertThat(e.actual()).contains(0L);
                    assertThat(e.getMessage()).contains("container-c1").contains("3").contains("actual 0");
                });
        assertThatThrownBy(() -> store.append(StreamId.container("c2"), ExpectedVersion.exactly(0),
                List.of(new ContainerCreated("c2")), ALICE, UUID.randomUUID()))
                .isInstanceOfSatisfying(WrongExpectedVersionException.class, e -> {
                    assertThat(e.actual()).isEmpty();
                    assertThat(e.getMessage()).contains("container-c2").contains("no stream");
                });

        store.append(stream, ExpectedVersion.exactly(0), List.of(new ContainerStartRequested("c1")), ALICE, UUID.randomUUID());
        List<RecordedEvent> any = store.append(stream, ExpectedVersion.any(),
                List.of(new ContainerDied("c1", 0, false, NOW)), ALICE, UUID.randomUUID());

        assertThat(any.get(0).version()).isEqualTo(2);
        assertThat(store.readStream(stream)).hasSize(3);
        assertThat(store.lastPosition()).as("refused appends wrote nothing").isEqualTo(3);
    }

    @Test
    void twoAppendsAtTheSameExpectedVersionOneWins() throws Exception {
        StreamId stream = StreamId.container("race");
        store.append(stream, ExpectedVersion.noStream(), List.of(new ContainerCreated("race")), ALICE, UUID.randomUUID());
        ExecutorService pool = Executors.newFixedThreadPool(2);
        try {
            for (int round = 0; round < 20; round++) {
                long expected = round;
                CountDownLatch go = new CountDownLatch(1);
                List<Future<List<RecordedEvent>>> both = new ArrayList<>();
                for (int i = 0; i < 2; i++) {
                    both.add(pool.submit(() -> {
                        go.await();
                        return store.append(stream, ExpectedVersion.exactly(expected),
                                List.of(new ContainerStartRequested("race")), ALICE, UUID.randomUUID());
                    }));
                }
                go.countDown();
                int won = 0;
                int clashed = 0;
                for (Future<List<RecordedEvent>> f : both) {
                    try {
                        f.get();
                        won++;
                    } catch (java.util.concurrent.ExecutionException e) {
                        assertThat(e.getCause()).isInstanceOf(WrongExpectedVersionException.class);
                        assertThat(((WrongExpectedVersionException) e.getCause()).actual()).contains(expected + 1);
                        clashed++;
                    }
                }
                assertThat(won).as("round %d", round).isEqualTo(1);
                assertThat(clashed).as("round %d", round).isEqualTo(1);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(store.readStream(stream)).extracting(RecordedEvent::version)
                .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(0, 20).boxed().toList());
    }

    @Test
    void appendsAfterCloseAreRefused() {
        store.close();
        assertThatThrownBy(() -> store.append(StreamId.IMAGES, ExpectedVersion.any(),
                List.of(new ImageTagged("sha256:1", "a:b")), ALICE, UUID.randomUUID()))
                .hasMessage("append to stream images: event store closed");
    }

    @Test
    void cleanStoreVerifies() {
        appendTen();
        assertThat(store.verify()).isEqualTo(new ChainVerification(10, Optional.empty(), ""));
    }

    @Test
    void aLoginUidReadsBackIsHashedAndOlderEventsWithoutOneStillVerify() throws SQLException {
        appendTen();
        Actor behindSudo = Actor.socket(65534, 4243, "nobody", 1000);
        RecordedEvent eleventh = store.append(StreamId.REFUSALS, ExpectedVersion.any(),
                List.of(new CommandRefused("CreateVolume", "v", 400, "r")), behindSudo, UUID.randomUUID()).get(0);

        assertThat(store.readAll(10, 1).get(0).actor()).isEqualTo(behindSudo);
        assertThat(store.readAll(0, 1).get(0).actor().loginUid()).isEqualTo(Actor.UNSET);
        assertThat(store.verify()).isEqualTo(new ChainVerification(11, Optional.empty(), ""));

        // the login uid is part of the hash: changing it alone is caught
        schema.sql("alter table events disable trigger events_append_only");
        schema.sql("update events set actor_login_uid = 0 where position = " + eleventh.position());
        assertThat(store.verify().firstBroken()).contains(eleventh.position());
    }

    @Test
    void changedPayloadIsNamedByVerify() throws SQLException {
        appendTen();
        schema.sql("alter table events disable trigger events_append_only");
        schema.sql("update events set payload = '{\"command\":\"CreateContainer\",\"target\":\"evil\",\"status\":400,"
                + "\"reason\":\"r\"}' where position = 6");

        ChainVerification result = store.verify();

        assertThat(result.intact()).isFalse();
        assertThat(result.firstBroken()).contains(6L);
        assertThat(result.problem()).isEqualTo("hash does not match contents");
    }

    @Test
    void changedEventWithRecomputedHashBreaksTheNextLink() throws SQLException {
        appendTen();
        schema.sql("alter table events disable trigger events_append_only");
        // a careful tamperer fixes the event's own hash, but cannot fix the next event's link without a chain rewrite
        RecordedEvent four = store.readAll(3, 1).get(0);
        String forged = EventHash.of(four.previousHash(), 4, four.stream(), four.version(), four.type(), "{}",
                Actor.system("forger"), four.correlationId(), four.occurredAt());
        schema.sql("update events set payload = '{}', actor_kind = 'SYSTEM', actor_uid = -1, actor_pid = -1,"
                + " actor_user_name = 'forger', hash = '" + forged + "' where position = 4");

        ChainVerification result = store.verify();

        assertThat(result.firstBroken()).contains(5L);
        assertThat(result.problem()).isEqualTo("previous hash does not match event 4");
    }

    @Test
    void deletedEventIsNamedByVerify() throws SQLException {
        appendTen();
        schema.sql("alter table events disable trigger events_append_only");
        schema.sql("delete from events where position = 7");

        ChainVerification result = store.verify();

        assertThat(result.firstBroken()).contains(7L);
        assertThat(result.problem()).isEqualTo("event 7 is missing (deleted): positions jump from 6 to 8");
        assertThat(result.eventsChecked()).isEqualTo(7);
    }

    @Test
    void deletedFirstEventIsNamedByVerify() throws SQLException {
        appendTen();
        schema.sql("alter table events disable trigger events_append_only");
        schema.sql("delete from events where position = 1");

        assertThat(store.verify().firstBroken()).contains(1L);
    }

    @Test
    void theDatabaseRefusesUpdatesDeletesAndTruncates() {
        appendTen();

        assertThatThrownBy(() -> schema.sql("update events set payload = '{}' where position = 2"))
                .isInstanceOf(SQLException.class).hasMessageContaining("events are append-only: update of event 2 refused");
        assertThatThrownBy(() -> schema.sql("delete from events where position = 3"))
                .isInstanceOf(SQLException.class).hasMessageContaining("events are append-only: delete of event 3 refused");
        assertThatThrownBy(() -> schema.sql("truncate events"))
                .isInstanceOf(SQLException.class).hasMessageContaining("events are append-only: truncate refused");
        assertThat(store.verify().intact()).isTrue();
        assertThat(store.lastPosition()).isEqualTo(10);
    }

    @Test
    void anUnknownStoredTypeIsNamedWithItsPosition() throws SQLException {
        appendTen();
        schema.sql("insert into events select 11, 'refusals', 10, 'container.teleported', payload, actor_kind,"
                + " actor_uid, actor_pid, actor_user_name, actor_tls_subject, correlation_id, occurred_at, hash, hash"
                + " from events where position = 10");

        assertThatThrownBy(() -> store.readAll(10, 5))
                .hasMessageContaining("read event 11 in stream refusals")
                .hasMessageContaining("unknown event type \"container.teleported\"");
    }

    private void appendTen() {
        for (int i = 0; i < 10; i++) {
            store.append(StreamId.REFUSALS, ExpectedVersion.any(),
                    List.of(new CommandRefused("CreateContainer", "web" + i, 400, "bad \"name\"\nline two")),
                    ALICE, UUID.randomUUID());
        }
    }

    /** A clock the test moves by hand, for events at chosen times. */
    static final class MutableClock extends Clock {
        private volatile Instant now;

        MutableClock(Instant start) {
            this.now = start;
        }

        void advance(Duration by) {
            now = now.plus(by);
        }

        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    }
}
