package dev.tallyman.host.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.store.Actor;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.it.TallymanProcess;
import dev.tallyman.host.it.TestDatabase;
import dev.tallyman.host.projections.Projections;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The event store alone, for ops/bench/journal (runs only with -Dbench.journal=true): events/s appended by 8
 * writers with the hash chain, replay of the store into the projections in events/s, and the time a service
 * started on a store of --events events (default 1,000,000) takes to answer its first {@code _ping}.
 *
 * <p>The events are containers' lives as the service writes them (create, start, death, removal, one stream
 * per container), appended through the store's public API with expected versions, so the figures include the
 * codec, the hash chain, the version checks and the fold.
 */
class JournalBenchIT {
    private static final int WRITERS = 8;
    private static final int IN_FLIGHT_PER_WRITER = 32;
    private static final ContainerSpec SPEC = new ContainerSpec("busybox", "sha256:" + "a".repeat(64), List.of(),
            List.of("true"), List.of("PATH=/bin"), "", "", "c", Map.of(), "none", false, false, false, "overlay2");

    @Test
    void appendReplayAndBoot() throws Exception {
        assumeTrue(Boolean.getBoolean("bench.journal"), "a benchmark: run it with ops/bench/journal");
        long total = Long.getLong("bench.events", 1_000_000L);
        try (TestDatabase database = new TestDatabase()) {
            PGSimpleDataSource dataSource = database.migratedDataSource();

            double appendRate;
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                long start = System.nanoTime();
                long appended = fill(store, total);
                appendRate = appended / ((System.nanoTime() - start) / 1e9);
                assertThat(store.lastPosition()).isEqualTo(appended);
            }
            System.out.printf("journal: append %,.0f events/s (%d writers, %d appends in flight each, %,d events)%n",
                    appendRate, WRITERS, IN_FLIGHT_PER_WRITER, total);

            // Three replays, the median reported: the first also pays for the JIT, the machine is shared.
            List<Double> replayRates = new ArrayList<>();
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                for (int round = 0; round < 3; round++) {
                    long start = System.nanoTime();
                    Projections projections = Projections.rebuild(store);
                    double seconds = (System.nanoTime() - start) / 1e9;
                    replayRates.add(projections.position() / seconds);
                    assertThat(projections.position()).isEqualTo(store.lastPosition());
                }
            }
            List<Double> sorted = replayRates.stream().sorted().toList();
            System.out.printf("journal: replay %,.0f events/s into the projections (median of %s)%n", sorted.get(1),
                    replayRates.stream().map(r -> String.format("%,.0f", r)).toList());

            // First boot: no snapshot yet, every event folded. The service then takes a snapshot of what it
            // folded, and another when it is stopped; the second boot starts from that one.
            TallymanProcess service = new TallymanProcess("bench-journal", database, "vfs");
            try {
                long start = System.nanoTime();
                service.start();
                double cold = (System.nanoTime() - start) / 1e9;
                System.out.printf("journal: boot with %,d events, no snapshot: %.2f s to the first answered _ping (%s)%n",
                        total, cold, rebuildLine(service));
                service.stop();
                start = System.nanoTime();
                service.start();
                double warm = (System.nanoTime() - start) / 1e9;
                System.out.printf("journal: boot with %,d events, from a snapshot: %.2f s to the first answered _ping (%s)%n",
                        total, warm, rebuildLine(service));
            } finally {
                service.close();
            }
        }
    }

    /** The service's own account of its last rebuild: where it started and how long the fold took. */
    private static String rebuildLine(TallymanProcess service) throws java.io.IOException {
        String found = "no rebuild line in " + service.log;
        for (String line : java.nio.file.Files.readAllLines(service.log)) {
            int at = line.indexOf("projections at event");
            if (at >= 0) {
                found = line.substring(at);
            }
        }
        return found;
    }

    /**
     * 8 writers, each keeping 32 appends in flight, each append the next event of one container's life with the
     * version it expects. Every container ends removed except the last one of each writer, so the projections
     * stay the size of a real host's.
     */
    static long fill(JdbcEventStore store, long total) throws Exception {
        AtomicLong left = new AtomicLong(total);
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        List<Future<Long>> writers = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            writers.add(pool.submit(() -> {
                long written = 0;
                ArrayDeque<CompletableFuture<List<RecordedEvent>>> inFlight = new ArrayDeque<>();
                List<Life> lives = new ArrayList<>();
                for (int i = 0; i < IN_FLIGHT_PER_WRITER; i++) {
                    lives.add(new Life(writer, i));
                }
                int next = 0;
                while (true) {
                    if (inFlight.size() >= IN_FLIGHT_PER_WRITER) {
                        inFlight.removeFirst().join();
                    }
                    if (left.getAndDecrement() <= 0) {
                        break;
                    }
                    Life life = lives.get(next);
                    next = (next + 1) % lives.size();
                    // A life's next event waits for its previous one: its expected version depends on it.
                    if (life.pending != null) {
                        life.pending.join();
                    }
                    // the correlation before next(): the last event of a life starts the next life's correlation
                    UUID correlation = life.correlation;
                    StreamId stream = life.stream();
                    ExpectedVersion expected = life.expected();
                    life.pending = store.appendAsync(stream, expected, List.of(life.next()), Actor.system("bench"),
                            correlation);
                    inFlight.addLast(life.pending);
                    written++;
                }
                for (CompletableFuture<List<RecordedEvent>> f : inFlight) {
                    f.join();
                }
                return written;
            }));
        }
        long written = 0;
        for (Future<Long> f : writers) {
            written += f.get();
        }
        pool.shutdown();
        return written;
    }

    /** One container after another, each living create → start → death → removal. */
    private static final class Life {
        private final int writer;
        private final int index;
        private int generation;
        private int step;
        private UUID correlation = UUID.randomUUID();
        CompletableFuture<List<RecordedEvent>> pending;

        Life(int writer, int index) {
            this.writer = writer;
            this.index = index;
        }

        String id() {
            return String.format("be%06x%08x%048x", writer, index, generation);
        }

        StreamId stream() {
            return StreamId.container(id());
        }

        ExpectedVersion expected() {
            return step == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(step - 1);
        }

        Event next() {
            String id = id();
            Event event = switch (step) {
                case 0 -> new ContainerEvent.ContainerCreateRequested(id, "/bench-" + id.substring(0, 12), SPEC);
                case 1 -> new ContainerEvent.ContainerCreated(id);
                case 2 -> new ContainerEvent.ContainerStartRequested(id);
                case 3 -> new ContainerEvent.ContainerStarted(id, 4242, Instant.now());
                case 4 -> new ContainerEvent.ContainerDied(id, 0, false, Instant.now());
                case 5 -> new ContainerEvent.ContainerRemoveRequested(id, false);
                default -> new ContainerEvent.ContainerRemoved(id);
            };
            step++;
            if (step == 7) {
                step = 0;
                generation++;
                correlation = UUID.randomUUID();
                pending = null;
            }
            return event;
        }
    }
}
