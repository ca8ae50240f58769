package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import dev.tallyman.audit.evidence.CheckpointFile;
import dev.tallyman.audit.evidence.CheckpointKey;
import dev.tallyman.audit.evidence.Checkpointer;
import dev.tallyman.audit.evidence.EvidenceVerifier;
import dev.tallyman.audit.evidence.JdbcCheckpointStore;
import dev.tallyman.audit.evidence.Verification;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.EnabledIfSystemProperty;
import org.junit.jupiter.api.io.TempDir;

/**
 * What signed checkpoints cost (issue 11), run only with -Dbench.checkpoints=true (-Dbench.events=N, default
 * 100,000 per store): events/s appended by 8 writers into a store without and one with a checkpointer signing
 * every 1000 events, rounds alternating between the two, medians; then the boot's check (from the newest
 * checkpoint) against a full verify of the same store. A shared machine: read the ratio, not the figures.
 */
@EnabledIfSystemProperty(named = "bench.checkpoints", matches = "true")
class CheckpointCostIT {
    private static final int WRITERS = 8;
    private static final int IN_FLIGHT = 32;
    private static final int ROUNDS = 3;

    @TempDir
    Path dir;

    @Test
    void appendRateWithAndWithoutCheckpointsAndTheBootCheck() throws Exception {
        long perStore = Long.getLong("bench.events", 100_000);
        long perRound = perStore / ROUNDS;
        try (FreshSchema plainSchema = new FreshSchema(); FreshSchema signedSchema = new FreshSchema()) {
            JdbcEventStore.migrate(plainSchema.dataSource());
            JdbcEventStore.migrate(signedSchema.dataSource());
            CheckpointKey key = CheckpointKey.loadOrCreate(dir.resolve("checkpoint.key"));
            CheckpointFile file = new CheckpointFile(dir.resolve("checkpoints.jsonl"));
            JdbcCheckpointStore table = new JdbcCheckpointStore(signedSchema.dataSource());
            try (JdbcEventStore plain = new JdbcEventStore(plainSchema.dataSource(), Clock.systemUTC());
                 JdbcEventStore signed = new JdbcEventStore(signedSchema.dataSource(), Clock.systemUTC());
                 Checkpointer checkpointer = new Checkpointer(key, file, table, Clock.systemUTC(), 1000, 0, 0, null)) {
                checkpointer.start(signed, Duration.ofSeconds(60));
                List<Double> without = new ArrayList<>();
                List<Double> with = new ArrayList<>();
                for (int round = 0; round < ROUNDS; round++) {
                    without.add(fill(plain, perRound, "r" + round));
                    with.add(fill(signed, perRound, "r" + round));
                }
                checkpointer.sign();
                double a = median(without);
                double b = median(with);
                System.out.printf("checkpoints: append %,.0f events/s without, %,.0f with a checkpoint every 1000"
                        + " events (ratio %.2f; medians of %d rounds of %,d events, %d writers)%n",
                        a, b, b / a, ROUNDS, perRound, WRITERS);

                EvidenceVerifier verifier = new EvidenceVerifier(signedSchema.dataSource(), key, file, table);
                long head = signed.lastPosition();
                long began = System.nanoTime();
                Verification all = verifier.all();
                double fullSeconds = (System.nanoTime() - began) / 1e9;
                assertThat(all.intact()).as(all.problems().toString()).isTrue();
                table.markVerified(head, Clock.systemUTC().instant());
                began = System.nanoTime();
                Verification boot = verifier.sinceLastVerified();
                double bootMillis = (System.nanoTime() - began) / 1e6;
                assertThat(boot.intact()).isTrue();
                System.out.printf("checkpoints: full verify of %,d events and %d checkpoints %.2f s (%,.0f events/s);"
                        + " boot check from the newest checkpoint %.0f ms (%d events, %d checkpoints)%n",
                        all.eventsChecked(), all.checkpointsChecked(), fullSeconds, all.eventsChecked() / fullSeconds,
                        bootMillis, boot.eventsChecked(), boot.checkpointsChecked());
            }
        }
    }

    /** Appends {@code count} events, 8 writers with 32 appends in flight each, one stream per slot; events/s. */
    private static double fill(JdbcEventStore store, long count, String label) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(WRITERS);
        long perWriter = count / WRITERS;
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int w = 0; w < WRITERS; w++) {
            int writer = w;
            done.add(pool.submit(() -> {
                long version = 0;
                for (long written = 0; written < perWriter; version++) {
                    List<CompletableFuture<List<RecordedEvent>>> inFlight = new ArrayList<>();
                    for (int slot = 0; slot < IN_FLIGHT && written < perWriter; slot++, written++) {
                        StreamId stream = StreamId.container(label + "-" + writer + "-" + slot);
                        inFlight.add(store.appendAsync(stream, version == 0 ? ExpectedVersion.noStream()
                                        : ExpectedVersion.exactly(version - 1),
                                List.of(new ContainerStartRequested(stream.value())), Actor.system("bench"), UUID.randomUUID()));
                    }
                    for (CompletableFuture<List<RecordedEvent>> f : inFlight) {
                        f.join();
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return perWriter * WRITERS / ((System.nanoTime() - start) / 1e9);
    }

    private static double median(List<Double> values) {
        List<Double> sorted = new ArrayList<>(values);
        sorted.sort(null);
        return sorted.get(sorted.size() / 2);
    }
}
