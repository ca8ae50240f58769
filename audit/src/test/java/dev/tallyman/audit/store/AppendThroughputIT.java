package dev.tallyman.audit.store;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.audit.event.ContainerEvent.ContainerStartRequested;
import java.sql.SQLException;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** Measures appends per second (one event each, expected version checked) and prints it; checks the result is whole. */
class AppendThroughputIT {
    private static final int APPENDS_PER_THREAD = 500;

    private FreshSchema schema;
    private JdbcEventStore store;

    @BeforeEach
    void openStore() throws SQLException {
        schema = new FreshSchema();
        JdbcEventStore.migrate(schema.dataSource());
        store = new JdbcEventStore(schema.dataSource(), Clock.systemUTC());
    }

    @AfterEach
    void closeAll() throws SQLException {
        try {
            store.close();
        } finally {
            schema.close();
        }
    }

    @Test
    void appendsFromOneAndFromEightThreads() throws Exception {
        double one = run("one", 1);
        double eight = run("eight", 8);

        System.out.printf("append throughput: 1 thread %.0f appends/s, 8 threads %.0f appends/s%n", one, eight);
        long total = APPENDS_PER_THREAD * 9L;
        assertThat(store.lastPosition()).isEqualTo(total);
        assertThat(store.verify().intact()).isTrue();
        assertThat(eight).as("group commit lets eight callers share commits").isGreaterThan(one);
    }

    private double run(String label, int threads) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(threads);
        CountDownLatch go = new CountDownLatch(1);
        List<Future<?>> done = new ArrayList<>();
        for (int t = 0; t < threads; t++) {
            StreamId stream = StreamId.container(label + "-" + t);
            done.add(pool.submit(() -> {
                go.await();
                for (int i = 0; i < APPENDS_PER_THREAD; i++) {
                    ExpectedVersion expected = i == 0 ? ExpectedVersion.noStream() : ExpectedVersion.exactly(i - 1);
                    store.append(stream, expected, List.of(new ContainerStartRequested(stream.value())),
                            Actor.system("bench"), UUID.randomUUID());
                }
                return null;
            }));
        }
        long start = System.nanoTime();
        go.countDown();
        for (Future<?> f : done) {
            f.get();
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        pool.shutdown();
        return threads * APPENDS_PER_THREAD / seconds;
    }
}
