package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

/**
 * Containers outlive the service: it is killed with SIGKILL in the middle of a run of commands and started
 * again 3 s later. The running container kept running and its output of the meantime is in its log, logs, exec,
 * attach and stop work on it; the container that ended meanwhile shows its exit code and real end time, with
 * the death on the record as reconciliation found it; nothing is left after removal.
 */
class LiveRestoreIT extends ContainerItSupport {
    private static final Pattern COUNT = Pattern.compile("n(\\d+)");

    @Override
    protected String instanceName() {
        return "liverestore";
    }

    @Test
    void containersSurviveAKilledService() throws Exception {
        String counter = ok("run", "-dit", "--name", "counter", "busybox", "sh", "-c",
                "i=0; while true; do echo n$i; i=$((i+1)); sleep 0.2; done").trim();
        String brief = ok("run", "-d", "--name", "brief", "busybox", "sh", "-c", "sleep 2; exit 7").trim();
        String pid = inspect("{{.State.Pid}}", "counter");

        // A user keeps working while the service dies under them.
        AtomicBoolean working = new AtomicBoolean(true);
        AtomicInteger commands = new AtomicInteger();
        CompletableFuture<Void> user = CompletableFuture.runAsync(() -> {
            while (working.get()) {
                tallyman.docker("run", "--rm", "busybox", "echo", "x");
                tallyman.docker("ps", "-a");
                tallyman.docker("logs", "--tail", "2", "counter");
                tallyman.docker("exec", "counter", "true");
                commands.addAndGet(4);
            }
        });
        sleep(1200);
        tallyman.kill();
        Instant killed = Instant.now();
        working.set(false);
        user.get();
        assertThat(commands.get()).isPositive();
        sleep(3000);
        Instant restarting = Instant.now();
        tallyman.start();

        // The running one never stopped.
        assertThat(inspect("{{.State.Status}} {{.State.Pid}}", "counter")).isEqualTo("running " + pid);
        int latest = eventually(Duration.ofSeconds(5), () -> lastCount(ok("logs", "counter")), n -> n > 0);
        assertNoGap(ok("logs", "counter"));
        // 5 a second for over 3 s away: well over 10 numbers written while the service was gone.
        assertThat(latest).isGreaterThan(20);
        assertThat(ok("exec", "counter", "echo", "alive")).isEqualTo("alive\n");

        try (Terminal t = Terminal.open(tallyman, 24, 80, "attach counter")) {
            // The counter goes on in the attached terminal.
            eventually(Duration.ofSeconds(10), t::screen, screen -> COUNT.matcher(screen).results().count() >= 2);
            assertThat(lastCount(t.screen())).isGreaterThan(latest);
            t.type("\u0010\u0011");
            t.exitCode(Duration.ofSeconds(15));
        }
        assertThat(inspect("{{.State.Status}}", "counter")).isEqualTo("running");

        // The one that ended while the service was away: its own exit code and end time.
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "brief")).isEqualTo("exited 7");
        Instant started = Instant.parse(inspect("{{.State.StartedAt}}", "brief"));
        Instant finished = Instant.parse(inspect("{{.State.FinishedAt}}", "brief"));
        assertThat(Duration.between(started, finished)).isBetween(Duration.ofMillis(1500), Duration.ofMillis(3500));
        assertThat(finished).isBefore(restarting);
        assertThat(events(brief)).contains("container.died SYSTEM reconcile");
        assertThat(payloads(brief, "container.died")).singleElement().asString().contains("\"exitCode\":7");
        assertThat(ok("ps", "-a", "--filter", "name=brief", "--format", "{{.Status}}").trim()).startsWith("Exited (7)");

        long stopBegan = System.nanoTime();
        ok("stop", "-t", "1", "counter");
        assertThat(Duration.ofNanos(System.nanoTime() - stopBegan)).isLessThan(Duration.ofSeconds(8));
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "counter")).isEqualTo("exited 137");
        assertNoGap(ok("logs", "counter"));

        // Whatever the interrupted commands left half done was settled at boot: no stray --rm container is kept.
        assertThat(ok("ps", "-a", "--format", "{{.Names}}").lines().sorted().toList()).containsExactly("brief", "counter");
        assertThat(killed).isBefore(restarting);

        ok("rm", "counter", "brief");
        assertNothingLeft(counter, brief);
        try (var left = Files.list(tallyman.dataRoot.resolve("containers"))) {
            assertThat(left.toList()).isEmpty();
        }
    }

    private static int lastCount(String logs) {
        Matcher m = COUNT.matcher(logs);
        int last = -1;
        while (m.find()) {
            last = Integer.parseInt(m.group(1));
        }
        return last;
    }

    /** n0, n1, n2, … with none missing or doubled. */
    private static void assertNoGap(String logs) {
        Matcher m = COUNT.matcher(logs);
        int expected = 0;
        while (m.find()) {
            assertThat(Integer.parseInt(m.group(1))).as("counter in the log").isEqualTo(expected);
            expected++;
        }
        assertThat(expected).isPositive();
        List<String> lines = logs.lines().toList();
        assertThat(lines).isNotEmpty();
    }
}
