package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Issue 12, "Database trouble": PostgreSQL stopped, then frozen (SIGSTOP), while a workload runs. Every call
 * answers within 5 s: writes 503 with the store's message, reads 200 from the projections. A refused write left
 * nothing behind, every accepted one is on the record, a container that exited during the outage is recorded
 * afterwards with the time it really ended, health names the store as down, and the service recovers by itself.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DatabaseTroubleIT {
    private static final long ANSWER_LIMIT_MILLIS = 5000;
    private final PrivateCluster cluster = new PrivateCluster(Path.of("/var/lib/tallyman-test/db12/pg"), 54339);
    private TestDatabase database;
    private TallymanProcess tallyman;
    private List<String> frozen = List.of();

    @BeforeAll
    void start() {
        cluster.start();
        database = cluster.schema();
        // an intent whose command lost the store between intent and outcome is closed by the periodic reconciler
        tallyman = cluster.service("db12-trouble", database)
                .withEnv("TALLYMAN_RECONCILE_EVERY", "2s")
                .withEnv("TALLYMAN_RECONCILE_GRACE", "4s");
        tallyman.start();
        CommandResult imported = tallyman.docker("import", BusyboxTar.get().toString(), "busybox:latest");
        assertThat(imported.exitCode()).as(imported.toString()).isZero();
    }

    @AfterAll
    void stop() {
        try {
            cluster.thaw(frozen);
            cluster.start();
            if (tallyman != null) {
                String all = tallyman.docker("ps", "-aq").stdout().trim();
                if (!all.isEmpty()) {
                    List<String> args = new ArrayList<>(List.of("rm", "-f"));
                    args.addAll(all.lines().toList());
                    tallyman.docker(args.toArray(String[]::new));
                }
                tallyman.close();
            }
            if (database != null) {
                database.close();
            }
        } finally {
            cluster.stop();
        }
    }

    @Test
    void postgresStoppedMidWorkload() throws Exception {
        outage("stopped", cluster::stop, cluster::start);
    }

    @Test
    void postgresFrozenMidWorkload() throws Exception {
        outage("frozen", () -> frozen = cluster.freeze(), () -> {
            cluster.thaw(frozen);
            frozen = List.of();
        });
    }

    private void outage(String kind, Runnable begin, Runnable end) throws Exception {
        String sleeper = "db12-" + kind + "-sleeper";
        CommandResult run = tallyman.docker("run", "-d", "--name", sleeper, "busybox", "sleep", "3");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        String running = tallyman.docker("ps", "-q", "--filter", "name=" + sleeper).stdout().trim();
        assertThat(running).as("the sleeper runs before the outage").isNotEmpty();

        Workload workload = new Workload(kind);
        workload.start();
        Thread.sleep(1500); // the workload runs against a healthy store first
        Instant outageBegan = Instant.now();
        begin.run();
        try {
            // The sleeper exits (3 s) while the database is away; the workload keeps calling throughout.
            Thread.sleep(5000);
            CommandResult health = timed(() -> tallyman.api("GET", "/tallyman/v1/health", null));
            assertThat(status(health)).as(health.toString()).isEqualTo(503);
            assertThat(health.stdout()).contains("\"status\":\"DEGRADED\"").contains("\"eventStore\":{\"status\":\"DOWN\"")
                    .contains("\"runtime\":{\"status\":\"UP\"");
            CommandResult ping = timed(() -> tallyman.api("GET", "/_ping", null));
            assertThat(ping.stdout()).startsWith("OK");
            CommandResult create = timed(() -> tallyman.docker("create", "--name", "db12-" + kind + "-refused", "busybox", "true"));
            assertThat(create.exitCode()).isNotZero();
            assertThat(create.stderr()).contains("the event store is unavailable").doesNotContainIgnoringCase("select")
                    .doesNotContainIgnoringCase("insert");
            CommandResult kill = timed(() -> tallyman.api("POST", "/containers/" + sleeper + "/kill", null));
            assertThat(status(kill)).as(kill.toString()).isIn(503, 409);
            for (String[] read : List.of(new String[] {"ps", "-a"}, new String[] {"inspect", sleeper}, new String[] {"images"})) {
                CommandResult r = timed(() -> tallyman.docker(read));
                assertThat(r.exitCode()).as(String.join(" ", read) + "\n" + r).isZero();
            }
        } finally {
            end.run();
        }
        Instant outageEnded = Instant.now();

        // recovers by itself: health UP and writes accepted again within a few seconds
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        CommandResult health;
        do {
            Thread.sleep(250);
            health = tallyman.api("GET", "/tallyman/v1/health", null);
        } while (status(health) != 200 && System.nanoTime() < deadline);
        assertThat(status(health)).as(health.toString()).isEqualTo(200);
        assertThat(health.stdout()).contains("\"status\":\"UP\"");
        // the store takes appends again at its next probe after PostgreSQL is back: refusals go on until then
        Instant storeBack = Instant.now();
        Thread.sleep(1500); // the workload's writes succeed again
        workload.stop();

        System.out.printf("db12 %s outage: %d calls, slowest %d ms; %d writes refused (503), %d accepted, %d after%n",
                kind, workload.calls.get(), workload.slowest.get(), workload.refusedDuringOutage.get(),
                workload.accepted.size(), workload.acceptedAfter.get());
        // every call answered within the limit; writes during the outage were refused, reads were not
        assertThat(workload.slow).as("calls slower than " + ANSWER_LIMIT_MILLIS + " ms").isEmpty();
        assertThat(workload.refusedDuringOutage.get()).as("writes refused during the outage").isPositive();
        assertThat(workload.readFailures).as("reads that failed").isEmpty();
        assertThat(workload.acceptedAfter.get()).as("writes accepted after the outage").isPositive();
        assertThat(workload.otherAnswers).as("answers other than 201/503").isEmpty();

        // A refused create whose intent never reached the store left nothing: no container, no event naming it.
        // One whose intent was committed just before the store went away (its outcome could not be) is on the
        // record, and its intent is closed by the reconciler once the store is back: nothing is left unrecorded.
        Thread.sleep(8000);
        List<String> names = tallyman.docker("ps", "-a", "--format", "{{.Names}}").stdout().lines().toList();
        int inFlight = 0;
        try (Connection c = DriverManager.getConnection(database.url(), database.user, database.password)) {
            for (String refused : workload.refused) {
                // what the caller was told is on the record once the store is back, with the time it was told
                Instant refusedAt = refusalOf(c, refused);
                assertThat(refusedAt).as("the 503 refusal of " + refused + " on the record").isNotNull();
                assertThat(refusedAt).isAfter(outageBegan).isBefore(storeBack);
                if (eventsMentioning(c, refused) == 0) {
                    assertThat(names).doesNotContain(refused);
                } else {
                    inFlight++;
                    assertThat(lastTypeOfStreamNaming(c, refused)).as("the record of " + refused).doesNotEndWith("-requested");
                }
            }
            assertThat(inFlight).as("refused writes whose intent was on the record").isLessThanOrEqualTo(1);
            for (String accepted : workload.accepted) {
                assertThat(names).contains(accepted);
                assertThat(eventsMentioning(c, accepted)).as("events naming " + accepted).isPositive();
            }
        }
        assertThat(names).doesNotContain("db12-" + kind + "-refused");

        // the exit during the outage is on the record with its true time, not the time the store came back
        String state = waitFor(() -> tallyman.docker("inspect", "--format", "{{.State.Status}} {{.State.FinishedAt}}", sleeper)
                .stdout().trim(), s -> s.startsWith("exited"));
        Instant finished = Instant.parse(state.split(" ")[1]);
        assertThat(finished).as("FinishedAt of " + sleeper).isAfter(outageBegan).isBefore(outageEnded);
        CommandResult verify = tallyman.api("GET", "/tallyman/verify", null);
        assertThat(verify.stdout()).contains("\"intact\":true");
    }

    /** The type of the last event in the stream whose events name {@code name}. */
    private static String lastTypeOfStreamNaming(Connection c, String name) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select type from events where stream_id ="
                + " (select stream_id from events where payload::text like ? and type <> 'command.refused' limit 1)"
                + " order by version desc limit 1")) {
            ps.setString(1, "%" + name + "\"%");
            try (ResultSet rows = ps.executeQuery()) {
                rows.next();
                return rows.getString(1);
            }
        }
    }

    /** When the refusal of a create named {@code name} says it happened; null when there is none on the record. */
    private static Instant refusalOf(Connection c, String name) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select payload->>'refusedAt' from events where type = 'command.refused'"
                + " and payload->>'target' = ? and (payload->>'status')::int = 503 and payload->>'refusedAt' is not null limit 1")) {
            ps.setString(1, name);
            try (ResultSet rows = ps.executeQuery()) {
                return rows.next() ? Instant.parse(rows.getString(1)) : null;
            }
        }
    }

    /** Events naming {@code name} other than refusals: what a command that took effect would have left. */
    private static long eventsMentioning(Connection c, String name) throws Exception {
        try (PreparedStatement ps = c.prepareStatement("select count(*) from events where payload::text like ?"
                + " and type <> 'command.refused'")) {
            ps.setString(1, "%" + name + "\"%");
            try (ResultSet rows = ps.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        }
    }

    private static CommandResult timed(java.util.function.Supplier<CommandResult> call) {
        long began = System.nanoTime();
        CommandResult result = call.get();
        long millis = (System.nanoTime() - began) / 1_000_000;
        assertThat(millis).as("answered in " + millis + " ms: " + result).isLessThan(ANSWER_LIMIT_MILLIS);
        return result;
    }

    private static int status(CommandResult curl) {
        List<String> lines = curl.stdout().lines().toList();
        return Integer.parseInt(lines.get(lines.size() - 1).trim());
    }

    private static String waitFor(java.util.function.Supplier<String> value, java.util.function.Predicate<String> wanted)
            throws InterruptedException {
        long deadline = System.nanoTime() + Duration.ofSeconds(20).toNanos();
        String last = value.get();
        while (!wanted.test(last) && System.nanoTime() < deadline) {
            Thread.sleep(250);
            last = value.get();
        }
        assertThat(last).matches(wanted::test);
        return last;
    }

    /** Creates (through the API) and lists, over and over, noting how each call was answered and how fast. */
    private final class Workload {
        private final String kind;
        private final AtomicBoolean running = new AtomicBoolean(true);
        private final AtomicInteger refusedDuringOutage = new AtomicInteger();
        private final AtomicInteger acceptedAfter = new AtomicInteger();
        final List<String> slow = Collections.synchronizedList(new ArrayList<>());
        final List<String> refused = Collections.synchronizedList(new ArrayList<>());
        final List<String> accepted = Collections.synchronizedList(new ArrayList<>());
        final List<String> readFailures = Collections.synchronizedList(new ArrayList<>());
        final List<String> otherAnswers = Collections.synchronizedList(new ArrayList<>());
        private final Thread thread = new Thread(this::run, "db12-workload");
        private volatile boolean refusedOnce;

        Workload(String kind) {
            this.kind = kind;
        }

        void start() {
            thread.start();
        }

        void stop() throws InterruptedException {
            running.set(false);
            thread.join(30_000);
        }

        private void run() {
            for (int i = 0; running.get(); i++) {
                String name = "db12-" + kind + "-w" + i;
                long began = System.nanoTime();
                CommandResult create = tallyman.api("POST", "/containers/create?name=" + name, "{\"Image\":\"busybox\",\"Cmd\":[\"true\"]}");
                note("create " + name, began, create);
                int code = status(create);
                if (code == 201) {
                    accepted.add(name);
                    if (refusedOnce) {
                        acceptedAfter.incrementAndGet();
                    }
                } else if (code == 503) {
                    refused.add(name);
                    refusedOnce = true;
                    refusedDuringOutage.incrementAndGet();
                    if (!create.stdout().contains("the event store is unavailable")) {
                        otherAnswers.add(create.stdout());
                    }
                } else {
                    otherAnswers.add(name + ": " + create.stdout());
                }
                began = System.nanoTime();
                CommandResult list = tallyman.api("GET", "/containers/json?all=1", null);
                note("list", began, list);
                if (status(list) != 200) {
                    readFailures.add(list.stdout());
                }
            }
        }

        final AtomicInteger calls = new AtomicInteger();
        final java.util.concurrent.atomic.AtomicLong slowest = new java.util.concurrent.atomic.AtomicLong();

        private void note(String call, long began, CommandResult result) {
            long millis = (System.nanoTime() - began) / 1_000_000;
            calls.incrementAndGet();
            slowest.accumulateAndGet(millis, Math::max);
            if (millis >= ANSWER_LIMIT_MILLIS) {
                slow.add(call + " took " + millis + " ms: " + result.stdout());
            }
        }
    }
}
