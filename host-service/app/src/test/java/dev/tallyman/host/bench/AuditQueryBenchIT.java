package dev.tallyman.host.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.tallyman.audit.snapshot.JdbcSnapshotStore;
import dev.tallyman.audit.store.JdbcEventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.SnapshotFormat;
import dev.tallyman.host.projections.SnapshotTaker;
import dev.tallyman.host.it.CommandResult;
import dev.tallyman.host.it.Shell;
import dev.tallyman.host.it.TallymanProcess;
import dev.tallyman.host.it.TestDatabase;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Clock;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.postgresql.ds.PGSimpleDataSource;

/**
 * The audit query on a large record, for ops/bench/audit-query (runs only with -Dbench.audit=true): a store
 * filled with --events events as JournalBenchIT fills it (containers' lives, 8 writers), a service started on it,
 * then the median time of one object's history ({@code events?stream=container-X}) and of time travel to the
 * middle of the record, halfway between two snapshots ({@code state?at=<middle position>}), each timed by curl from request to last byte.
 */
class AuditQueryBenchIT {
    private static final int RUNS = Integer.getInteger("bench.runs", 11);
    // the service's default (tallyman.snapshot-every-events)
    private static final long EVERY = 50_000;

    @Test
    void historyAndTimeTravel() throws Exception {
        assumeTrue(Boolean.getBoolean("bench.audit"), "a benchmark: run it with ops/bench/audit-query");
        long total = Long.getLong("bench.events", 1_000_000L);
        try (TestDatabase database = new TestDatabase()) {
            PGSimpleDataSource dataSource = database.migratedDataSource();
            int snapshotsTaken;
            try (JdbcEventStore store = new JdbcEventStore(dataSource, Clock.systemUTC())) {
                JournalBenchIT.fill(store, total);
                snapshotsTaken = snapshotsAlong(store, new JdbcSnapshotStore(dataSource), total);
            }
            // halfway between two snapshots: a time travel there folds EVERY / 2 events after the snapshot
            long middle = total >= 2 * EVERY ? total / 2 + EVERY / 2 : total / 2;
            String stream;
            try (Connection c = database.connect(); Statement s = c.createStatement()) {
                s.execute("analyze events");
                try (ResultSet rows = s.executeQuery("select stream_id from events where position = " + middle)) {
                    rows.next();
                    stream = rows.getString(1);
                }
            }
            System.out.printf("audit-query: %,d events in the store, %d snapshots taken along it (%d kept);"
                    + " history of %s, state at %d%n", total, snapshotsTaken,
                    new JdbcSnapshotStore(dataSource).newestFirst().size(), stream, middle);
            try (TallymanProcess service = new TallymanProcess("q11bench", database, "vfs")) {
                service.start();
                String history = "/tallyman/v1/events?stream=" + stream;
                String state = "/tallyman/v1/state?at=" + middle;
                // first calls: cold (class loading, HQL translation, JIT)
                System.out.printf("audit-query: first history %.1f ms, first state %.1f ms%n",
                        timed(service, history), timed(service, state));
                report("history of one object (events?stream=)", service, history);
                report("state at the middle position (state?at=)", service, state);
            }
        }
    }

    /**
     * The snapshots a service running while the record grew would have taken: one every {@link #EVERY} events,
     * each put on the record and thinned as the service's own snapshot taker does.
     */
    private static int snapshotsAlong(JdbcEventStore store, JdbcSnapshotStore snapshots, long total) {
        Projections state = new Projections();
        int taken = 0;
        long after = 0;
        while (after < total) {
            List<RecordedEvent> page = store.readAll(after, (int) Math.min(1000, total - after));
            if (page.isEmpty()) {
                break;
            }
            for (RecordedEvent event : page) {
                state.apply(event);
                if (event.position() % EVERY == 0) {
                    long began = System.nanoTime();
                    int size = SnapshotTaker.store(SnapshotFormat.copy(state), store, snapshots, Clock.systemUTC());
                    System.out.printf("audit-query: snapshot at %d: %,d bytes, %d ms%n", event.position(), size,
                            (System.nanoTime() - began) / 1_000_000);
                    taken++;
                }
            }
            after = page.get(page.size() - 1).position();
        }
        return taken;
    }

    private static void report(String what, TallymanProcess service, String path) {
        List<Double> times = new ArrayList<>();
        for (int i = 0; i < RUNS; i++) {
            times.add(timed(service, path));
        }
        List<Double> sorted = times.stream().sorted().toList();
        System.out.printf("audit-query: %s median %.1f ms (min %.1f, max %.1f, %d runs)%n", what,
                sorted.get(sorted.size() / 2), sorted.get(0), sorted.get(sorted.size() - 1), RUNS);
    }

    /** Milliseconds from request to the answer's last byte, as curl measures them; the answer must be 200. */
    private static double timed(TallymanProcess service, String path) {
        CommandResult r = Shell.run(List.of("curl", "-s", "-o", "/dev/null", "-w", "%{http_code} %{time_total}",
                "--unix-socket", service.socket.toString(), "http://d" + path), Map.of(), null, 600);
        String[] parts = r.stdout().trim().split(" ");
        assertThat(parts[0]).as(path + ": " + r).isEqualTo("200");
        return Double.parseDouble(parts[1]) * 1000;
    }
}
