package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.TestInstance;

/**
 * What the container ITs share: one service instance per class with its own schema and roots and busybox
 * imported, checked CLI calls, polling for states that arrive later, and looks at the record.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class ContainerItSupport {
    protected TestDatabase database;
    protected TallymanProcess tallyman;

    /** The instance name: socket, roots and log file are named after it. */
    protected abstract String instanceName();

    protected String storageDriver() {
        return "overlay2";
    }

    @BeforeAll
    void startService() {
        database = new TestDatabase();
        tallyman = new TallymanProcess(instanceName(), database, storageDriver());
        tallyman.start();
        ok("import", BusyboxTar.get().toString(), "busybox:latest");
    }

    @AfterAll
    void stopService() {
        try {
            if (tallyman != null) {
                // Every container goes through the service first, so its removal is on the record like a user's.
                String all = tallyman.docker("ps", "-aq").stdout().trim();
                if (!all.isEmpty()) {
                    List<String> args = new ArrayList<>(List.of("rm", "-f"));
                    args.addAll(all.lines().toList());
                    tallyman.docker(args.toArray(String[]::new));
                }
                tallyman.close();
            }
        } finally {
            if (database != null) {
                database.close();
            }
        }
    }

    /** Runs the CLI and fails the test, showing both outputs, unless it exits 0; returns stdout. */
    protected String ok(String... args) {
        return exits(0, args).stdout();
    }

    protected CommandResult exits(int code, String... args) {
        CommandResult result = tallyman.docker(args);
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + "\n" + result).isEqualTo(code);
        return result;
    }

    /** docker inspect --format, trimmed. */
    protected String inspect(String format, String container) {
        return ok("inspect", "--format", format, container).trim();
    }

    /** Polls until the value matches, failing with the last value seen after the limit. */
    protected static <T> T eventually(Duration limit, Supplier<T> value, java.util.function.Predicate<T> wanted) {
        long deadline = System.nanoTime() + limit.toNanos();
        T last = value.get();
        while (!wanted.test(last)) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("still " + last + " after " + limit);
            }
            sleep(100);
            last = value.get();
        }
        return last;
    }

    protected String awaitStatus(String container, String status, Duration limit) {
        return eventually(limit, () -> tallyman.docker("inspect", "--format", "{{.State.Status}}", container).stdout().trim(),
                status::equals);
    }

    protected static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted");
        }
    }

    /** "type actor_kind actor_user_name" of a container's events, oldest first. */
    protected List<String> events(String containerId) {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select type, actor_kind, actor_user_name from events where stream_id = 'container-"
                     + containerId + "' order by version")) {
            while (rs.next()) {
                rows.add(rs.getString(1) + " " + rs.getString(2) + " " + rs.getString(3));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    /** The payloads of a container's events of one type, oldest first. */
    protected List<String> payloads(String containerId, String type) {
        List<String> rows = new ArrayList<>();
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload from events where stream_id = 'container-" + containerId
                     + "' and type = '" + type + "' order by version")) {
            while (rs.next()) {
                rows.add(rs.getString(1));
            }
        } catch (Exception e) {
            throw new AssertionError(e);
        }
        return rows;
    }

    /** "command target status reason" of the newest refusal on the record. */
    protected String lastRefusal() {
        try (Connection c = database.connect(); Statement s = c.createStatement();
             ResultSet rs = s.executeQuery("select payload from events where type = 'command.refused' order by position desc limit 1")) {
            assertThat(rs.next()).as("a refusal on the record").isTrue();
            var payload = new com.fasterxml.jackson.databind.ObjectMapper().readTree(rs.getString(1));
            return payload.get("command").asText() + " " + payload.get("target").asText() + " "
                    + payload.get("status").asInt() + " " + payload.get("reason").asText();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** docker events between two unix times, one formatted line each. */
    protected List<String> dockerEvents(long since, String filter, String format) {
        long until = java.time.Instant.now().getEpochSecond() + 1;
        return ok("events", "--since", Long.toString(since), "--until", Long.toString(until), "--filter", filter,
                "--format", format).lines().toList();
    }

    /** Nothing of the container left on the machine: mounts, runc state, cgroups, conmon. */
    protected void assertNothingLeft(String... ids) {
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
        for (String id : ids) {
            assertThat(TallymanProcess.cgroupsOf(id)).as("cgroups of " + id).isEmpty();
            assertThat(Shell.run("pgrep", "-f", "conmon.*" + id).stdout()).as("conmon of " + id).isBlank();
        }
    }
}
