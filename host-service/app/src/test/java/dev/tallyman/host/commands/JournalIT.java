package dev.tallyman.host.commands;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerCreated;
import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.it.TestDatabase;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The journal against the real store: appends from concurrent commands are folded in order, and a command
 * whose check was overtaken by another command on the same object checks again or gets a 409.
 */
class JournalIT {
    private static final ContainerSpec SPEC = new ContainerSpec("busybox", "sha256:" + "a".repeat(64), List.of(),
            List.of("true"), List.of(), "", "", "c1", Map.of(), "none", false, false, false, "overlay2");
    private static final String ID = "c".repeat(64);

    private TestDatabase database;
    private JdbcEventStore store;
    private Journal journal;
    private final CommandContext user = CommandContext.system("test");

    @BeforeEach
    void open() {
        database = new TestDatabase();
        PGSimpleDataSource dataSource = database.migratedDataSource();
        store = new JdbcEventStore(dataSource, Clock.systemUTC());
        journal = new Journal(store, Projections.rebuild(store));
        journal.append(StreamId.container(ID), ExpectedVersion.noStream(),
                List.of(new ContainerCreateRequested(ID, "/web", SPEC), new ContainerCreated(ID)), user);
    }

    @AfterEach
    void close() {
        try {
            store.close();
        } finally {
            database.close();
        }
    }

    private ContainerView web() {
        return journal.projections().read(p -> p.containers().byId(ID).orElseThrow());
    }

    @Test
    void aCheckOvertakenByAnotherCommandIsMadeAgainWithWhatThatCommandDid() {
        AtomicInteger attempts = new AtomicInteger();

        long version = journal.optimistically(() -> {
            ContainerView seen = web();
            if (attempts.incrementAndGet() == 1) {
                // another command on the same container lands between this check and this append
                journal.append(StreamId.container(ID), ExpectedVersion.exactly(seen.version()),
                        new ContainerStartRequested(ID), user);
            }
            return journal.append(StreamId.container(ID), ExpectedVersion.exactly(seen.version()),
                    new ContainerStartRequested(ID), user).version();
        });

        assertThat(attempts).hasValue(2);
        assertThat(version).isEqualTo(3);
        assertThat(web().version()).isEqualTo(3);
    }

    @Test
    void aCheckOvertakenEveryTimeEndsInA409() {
        assertThatThrownBy(() -> journal.optimistically(() -> {
            ContainerView seen = web();
            journal.append(StreamId.container(ID), ExpectedVersion.any(), new ContainerStartRequested(ID), user);
            return journal.append(StreamId.container(ID), ExpectedVersion.exactly(seen.version()),
                    new ContainerStartRequested(ID), user);
        })).isInstanceOfSatisfying(EngineException.class, e -> assertThat(e.kind()).isEqualTo(EngineException.Kind.CONFLICT));
    }

    @Test
    void concurrentCommandsOnOneObjectAllLandOnceEachAndTheFoldMatchesTheStore() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(8);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> commands = new ArrayList<>();
        AtomicInteger attempts = new AtomicInteger();
        AtomicInteger answered = new AtomicInteger();
        for (int i = 0; i < 8; i++) {
            commands.add(pool.submit(() -> {
                go.await();
                for (int n = 0; n < 20; n++) {
                    journal.optimistically(() -> {
                        attempts.incrementAndGet();
                        ContainerView seen = web();
                        return journal.append(StreamId.container(ID), ExpectedVersion.exactly(seen.version()),
                                new ContainerStartRequested(ID), user);
                    });
                    answered.incrementAndGet();
                }
                return null;
            }));
        }
        go.countDown();
        for (Future<?> command : commands) {
            try {
                command.get();
            } catch (java.util.concurrent.ExecutionException e) {
                // a command overtaken eight times in a row gets Docker's 409; nothing of it landed
                assertThat(e.getCause()).isInstanceOfSatisfying(EngineException.class,
                        c -> assertThat(c.kind()).isEqualTo(EngineException.Kind.CONFLICT));
            }
        }
        pool.shutdown();

        long landed = store.readStream(StreamId.container(ID)).size() - 2;
        assertThat(landed).as("each command that was answered landed exactly once").isEqualTo(answered.get());
        assertThat(web().version()).isEqualTo(store.readStream(StreamId.container(ID)).size() - 1);
        ContainerView replayed = Projections.rebuild(store).read(p -> p.containers().byId(ID).orElseThrow());
        assertThat(replayed).isEqualTo(web());
        assertThat(attempts.get()).as("attempts, retries included").isGreaterThanOrEqualTo((int) landed);
    }

    @Test
    void aCommandThatFailsHalfWayHasItsIntentClosedWithTheCause() {
        assertThatThrownBy(() -> journal.command(() -> {
            journal.append(StreamId.container(ID), ExpectedVersion.any(), new ContainerStartRequested(ID), user);
            throw new IllegalStateException("mount rootfs: EBUSY");
        })).hasMessage("mount rootfs: EBUSY");

        List<dev.tallyman.audit.store.RecordedEvent> stream = store.readStream(StreamId.container(ID));
        dev.tallyman.audit.store.RecordedEvent last = stream.get(stream.size() - 1);
        assertThat(last.event()).isInstanceOfSatisfying(dev.tallyman.audit.event.ContainerEvent.ContainerStartFailed.class,
                f -> assertThat(f.reason()).contains("mount rootfs: EBUSY"));
        assertThat(last.correlationId()).isEqualTo(user.correlationId());
        assertThat(last.actor().userName()).isEqualTo("tallyman");
        assertThat(web().pendingIntent()).isEmpty();
    }

    @Test
    void aCommandThatRecordedItsOutcomeGetsNothingMore() throws Exception {
        journal.command(() -> {
            journal.append(StreamId.container(ID), ExpectedVersion.any(), new ContainerStartRequested(ID), user);
            journal.append(StreamId.container(ID), ExpectedVersion.any(),
                    new dev.tallyman.audit.event.ContainerEvent.ContainerStartFailed(ID, 127, "no such file"), user);
        });

        assertThat(store.readStream(StreamId.container(ID))).hasSize(4);
    }
}
