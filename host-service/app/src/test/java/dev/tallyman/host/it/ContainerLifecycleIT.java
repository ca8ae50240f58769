package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * A container's life as the docker CLI drives it: stop with the stop signal then SIGKILL, kill with a signal,
 * restart, pause, rename, wait, rm and prune, Docker's exit codes and times, and the restart policies, also
 * across a restart of the service itself.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ContainerLifecycleIT extends ContainerItSupport {
    private static final String TRAP_TERM = "trap \"exit 0\" TERM; while true; do sleep 0.1; done";

    @Override
    protected String instanceName() {
        return "lifecycle";
    }

    @Test
    @Order(1)
    void stopSendsTheStopSignalThenKillsAfterTheTimeout() {
        ok("run", "-d", "--name", "trap", "busybox", "sh", "-c", TRAP_TERM);
        long began = System.nanoTime();
        assertThat(ok("stop", "trap").trim()).isEqualTo("trap");
        assertThat(Duration.ofNanos(System.nanoTime() - began)).isLessThan(Duration.ofSeconds(5));
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "trap")).isEqualTo("exited 0");

        // A plain program as PID 1 has no handler for SIGTERM: the kernel ignores it, and -t decides.
        ok("run", "-d", "--name", "deaf", "busybox", "sleep", "600");
        began = System.nanoTime();
        ok("stop", "-t", "1", "deaf");
        Duration took = Duration.ofNanos(System.nanoTime() - began);
        assertThat(took).isGreaterThanOrEqualTo(Duration.ofMillis(900)).isLessThan(Duration.ofSeconds(8));
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "deaf")).isEqualTo("exited 137");

        // The container's own stop signal replaces SIGTERM.
        ok("run", "-d", "--name", "usr1", "--stop-signal", "USR1", "busybox", "sh", "-c",
                "trap \"exit 5\" USR1; while true; do sleep 0.1; done");
        assertThat(inspect("{{.Config.StopSignal}}", "usr1")).isEqualTo("USR1");
        ok("stop", "usr1");
        assertThat(inspect("{{.State.ExitCode}}", "usr1")).isEqualTo("5");

        CommandResult again = tallyman.docker("stop", "trap");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        String id = inspect("{{.Id}}", "deaf");
        assertThat(events(id)).contains("container.stop-requested SOCKET root", "container.stopped SOCKET root");
        ok("rm", "trap", "deaf", "usr1");
    }

    @Test
    @Order(2)
    void killSendsTheSignalAsked() {
        String id = ok("run", "-d", "--name", "killme", "busybox", "sh", "-c",
                "trap \"echo got usr1\" USR1; while true; do sleep 0.1; done").trim();
        assertThat(ok("kill", "-s", "USR1", "killme").trim()).isEqualTo("killme");
        eventually(Duration.ofSeconds(5), () -> tallyman.docker("logs", "killme").stdout(), out -> out.contains("got usr1"));
        assertThat(inspect("{{.State.Status}}", "killme")).isEqualTo("running");

        ok("kill", "killme");
        assertThat(ok("wait", "killme").trim()).isEqualTo("137");
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "killme")).isEqualTo("exited 137");

        CommandResult notRunning = exits(1, "kill", "killme");
        assertThat(notRunning.stderr()).contains("is not running");
        CommandResult badSignal = exits(1, "kill", "-s", "NOSUCH", "killme");
        assertThat(badSignal.stderr()).contains("Error response from daemon");
        assertThat(events(id)).contains("container.kill-requested SOCKET root", "container.killed SOCKET root");
        ok("rm", "killme");
    }

    @Test
    @Order(3)
    void restartStartsAgainWithoutCountingAsAPolicyRestart() {
        ok("run", "-d", "--name", "again", "busybox", "sh", "-c", TRAP_TERM);
        String firstStart = inspect("{{.State.StartedAt}}", "again");
        String firstPid = inspect("{{.State.Pid}}", "again");
        sleep(20);
        assertThat(ok("restart", "-t", "2", "again").trim()).isEqualTo("again");
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "again")).isEqualTo("running 0 0");
        assertThat(inspect("{{.State.StartedAt}}", "again")).isNotEqualTo(firstStart);
        assertThat(inspect("{{.State.Pid}}", "again")).isNotEqualTo(firstPid);

        // restart of a stopped container just starts it.
        ok("stop", "again");
        ok("restart", "again");
        assertThat(inspect("{{.State.Status}}", "again")).isEqualTo("running");
        ok("rm", "-f", "again");
    }

    @Test
    @Order(4)
    void pauseFreezesAndExecWaitsForUnpause() throws Exception {
        String id = ok("run", "-d", "--name", "frozen", "busybox", "sleep", "600").trim();
        ok("pause", "frozen");
        assertThat(ok("ps", "--filter", "name=frozen", "--format", "{{.Status}}").trim()).matches("Up .* \\(Paused\\)");
        assertThat(inspect("{{.State.Status}} {{.State.Paused}} {{.State.Running}}", "frozen")).isEqualTo("paused true true");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer/tallyman", id, "freezer.state")).trim()).isEqualTo("FROZEN");

        CommandResult exec = exits(1, "exec", "frozen", "true");
        assertThat(exec.stderr()).contains("Container " + id + " is paused, unpause the container before exec");
        CommandResult pausedTwice = exits(1, "pause", "frozen");
        assertThat(pausedTwice.stderr()).contains("is already paused");
        exits(1, "start", "frozen");

        ok("unpause", "frozen");
        assertThat(inspect("{{.State.Status}} {{.State.Paused}}", "frozen")).isEqualTo("running false");
        assertThat(Files.readString(Path.of("/sys/fs/cgroup/freezer/tallyman", id, "freezer.state")).trim()).isEqualTo("THAWED");
        assertThat(ok("exec", "frozen", "echo", "thawed")).isEqualTo("thawed\n");
        exits(1, "unpause", "frozen");

        // A paused container still stops: it is thawed so the signal lands.
        ok("pause", "frozen");
        ok("stop", "-t", "1", "frozen");
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "frozen")).isEqualTo("exited 137");
        assertThat(events(id)).contains("container.paused SOCKET root", "container.unpaused SOCKET root");
        ok("rm", "frozen");
    }

    @Test
    @Order(5)
    void removeForcedAndWithVolumesLeavesNothing() {
        String id = ok("run", "-d", "--name", "gone", "busybox", "sleep", "600").trim();
        assertThat(exits(1, "rm", "gone").stderr()).contains("You cannot remove a running container " + id + ". Stop the container");
        assertThat(ok("rm", "-f", "-v", "gone").trim()).isEqualTo("gone");
        assertThat(exits(1, "inspect", "gone").stderr()).contains("No such object: gone");
        assertNothingLeft(id);
        assertThat(Files.exists(tallyman.dataRoot.resolve("containers").resolve(id))).isFalse();
        assertThat(events(id)).last().isEqualTo("container.removed SOCKET root");
    }

    @Test
    @Order(6)
    void renameChangesTheNameOnly() {
        String id = ok("create", "--name", "old", "busybox", "echo", "renamed").trim();
        ok("create", "--name", "taken", "busybox", "true");
        ok("rename", "old", "new");
        assertThat(inspect("{{.Name}} {{.Id}}", "new")).isEqualTo("/new " + id);
        exits(1, "inspect", "old");
        assertThat(exits(1, "rename", "new", "taken").stderr())
                .contains("Conflict. The container name \"/taken\" is already in use by container");
        assertThat(exits(1, "rename", "new", "bad name!").stderr()).contains("Invalid container name");
        ok("rename", "new", "old");
        assertThat(ok("start", "-a", "old")).isEqualTo("renamed\n");
        assertThat(ok("ps", "-a", "--filter", "id=" + id, "--format", "{{.Names}}").trim()).isEqualTo("old");
        assertThat(events(id).stream().filter(e -> e.startsWith("container.renamed"))).hasSize(2);
        ok("rm", "old", "taken");
    }

    @Test
    @Order(7)
    void waitAnswersForEachCondition() throws Exception {
        ok("run", "-d", "--name", "w1", "busybox", "sh", "-c", TRAP_TERM);
        CompletableFuture<CommandResult> nextExit = CompletableFuture.supplyAsync(
                () -> tallyman.api("POST", "/v1.50/containers/w1/wait?condition=next-exit", null));
        CompletableFuture<CommandResult> removed = CompletableFuture.supplyAsync(
                () -> tallyman.api("POST", "/v1.50/containers/w1/wait?condition=removed", null));
        sleep(500);
        assertThat(nextExit).isNotDone();
        ok("kill", "-s", "TERM", "w1");
        assertThat(nextExit.get(10, TimeUnit.SECONDS).stdout()).contains("\"StatusCode\":0").endsWith("200");
        sleep(300);
        assertThat(removed).isNotDone();

        // not-running on a stopped container answers at once with its last exit code.
        assertThat(tallyman.api("POST", "/v1.50/containers/w1/wait?condition=not-running", null).stdout())
                .contains("\"StatusCode\":0").endsWith("200");
        assertThat(tallyman.api("POST", "/v1.50/containers/w1/wait?condition=bogus", null).stdout()).endsWith("400");
        ok("rm", "w1");
        assertThat(removed.get(10, TimeUnit.SECONDS).stdout()).contains("\"StatusCode\":0").endsWith("200");

        ok("run", "-d", "--name", "w2", "busybox", "sh", "-c", "sleep 1; exit 4");
        ok("run", "-d", "--name", "w3", "busybox", "sh", "-c", "exit 6");
        assertThat(ok("wait", "w2", "w3").lines().toList()).containsExactly("4", "6");
        assertThat(exits(1, "wait", "nosuch").stderr()).contains("No such container: nosuch");
        ok("rm", "w2", "w3");
    }

    @Test
    @Order(8)
    void pruneRemovesStoppedContainersOnly() {
        ok("run", "--name", "p1", "busybox", "sh", "-c", "head -c 100000 /dev/zero > /filler");
        String exited = inspect("{{.Id}}", "p1");
        String created = ok("create", "--name", "p2", "busybox", "true").trim();
        String running = ok("run", "-d", "--name", "p3", "busybox", "sleep", "600").trim();
        String prune = ok("container", "prune", "-f");
        assertThat(prune).startsWith("Deleted Containers:\n").contains("Total reclaimed space:");
        List<String> ids = prune.lines().filter(l -> l.matches("[0-9a-f]{64}")).toList();
        assertThat(ids).containsExactlyInAnyOrder(exited, created);
        assertThat(prune).doesNotContain("Total reclaimed space: 0B");
        assertThat(ok("ps", "-a", "--format", "{{.ID}} {{.Names}}").trim()).isEqualTo(running.substring(0, 12) + " p3");
        assertThat(events(exited)).last().isEqualTo("container.removed SOCKET root");

        String nothing = ok("container", "prune", "-f");
        assertThat(nothing).contains("Total reclaimed space: 0B").doesNotContain("Deleted Containers");
        ok("rm", "-f", "p3");
        assertNothingLeft(exited, created, running);
    }

    @Test
    @Order(9)
    void exitCodesFollowDockersStateMachine() {
        CommandResult daemonError = tallyman.docker("run", "--restart", "bogus", "busybox", "true");
        assertThat(daemonError.exitCode()).as(daemonError.toString()).isEqualTo(125);
        assertThat(daemonError.stderr()).contains("invalid restart policy");

        CommandResult notExecutable = tallyman.docker("run", "--name", "e126", "busybox", "/etc/passwd");
        assertThat(notExecutable.exitCode()).as(notExecutable.toString()).isEqualTo(126);
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}}", "e126")).isEqualTo("exited 126");
        assertThat(inspect("{{.State.Error}}", "e126")).contains("permission denied");

        CommandResult notFound = tallyman.docker("run", "--name", "e127", "busybox", "nosuchcmd");
        assertThat(notFound.exitCode()).as(notFound.toString()).isEqualTo(127);
        assertThat(inspect("{{.State.ExitCode}}", "e127")).isEqualTo("127");

        CompletableFuture<CommandResult> attached = CompletableFuture.supplyAsync(
                () -> tallyman.docker("run", "--name", "e137", "busybox", "sleep", "600"));
        awaitStatus("e137", "running", Duration.ofSeconds(10));
        ok("kill", "e137");
        assertThat(attached.join().exitCode()).isEqualTo(137);
        ok("rm", "e126", "e127", "e137");
    }

    @Test
    @Order(10)
    void createdStartedFinishedAreInOrder() {
        ok("create", "--name", "times", "busybox", "sh", "-c", "sleep 0.3");
        assertThat(inspect("{{.State.Status}} {{.State.StartedAt}} {{.State.FinishedAt}}", "times"))
                .isEqualTo("created 0001-01-01T00:00:00Z 0001-01-01T00:00:00Z");
        ok("start", "times");
        assertThat(inspect("{{.State.FinishedAt}}", "times")).isEqualTo("0001-01-01T00:00:00Z");
        ok("wait", "times");
        Instant created = Instant.parse(inspect("{{.Created}}", "times"));
        Instant started = Instant.parse(inspect("{{.State.StartedAt}}", "times"));
        Instant finished = Instant.parse(inspect("{{.State.FinishedAt}}", "times"));
        assertThat(created).isBeforeOrEqualTo(started);
        assertThat(Duration.between(started, finished)).isBetween(Duration.ofMillis(200), Duration.ofSeconds(5));
        ok("rm", "times");
    }

    @Test
    @Order(11)
    void restartPoliciesAreEnforced() {
        String failing = ok("run", "-d", "--name", "flaky", "--restart", "on-failure:2", "busybox", "sh", "-c", "exit 1").trim();
        eventually(Duration.ofSeconds(15), () -> tallyman.docker("inspect", "--format",
                "{{.State.Status}} {{.State.ExitCode}} {{.RestartCount}}", "flaky").stdout().trim(), "exited 1 2"::equals);
        sleep(1000);
        assertThat(inspect("{{.State.Status}} {{.RestartCount}}", "flaky")).isEqualTo("exited 2");
        assertThat(inspect("{{.HostConfig.RestartPolicy.Name}} {{.HostConfig.RestartPolicy.MaximumRetryCount}}", "flaky"))
                .isEqualTo("on-failure 2");
        assertThat(events(failing).stream().filter(e -> e.startsWith("container.started"))).hasSize(3);
        assertThat(events(failing)).contains("container.restart-scheduled SYSTEM restart-policy",
                "container.started SYSTEM restart-policy");

        // on-failure leaves a clean exit alone.
        ok("run", "-d", "--name", "clean", "--restart", "on-failure", "busybox", "true");
        ok("wait", "clean");
        sleep(500);
        assertThat(inspect("{{.State.Status}} {{.RestartCount}}", "clean")).isEqualTo("exited 0");

        ok("run", "-d", "--name", "forever", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2; exit 3");
        eventually(Duration.ofSeconds(15), () -> Integer.parseInt(inspect("{{.RestartCount}}", "forever")), n -> n >= 2);
        ok("stop", "-t", "1", "forever");
        String afterStop = inspect("{{.State.Status}} {{.RestartCount}}", "forever");
        sleep(1500);
        assertThat(afterStop).startsWith("exited ");
        assertThat(inspect("{{.State.Status}} {{.RestartCount}}", "forever")).isEqualTo(afterStop);

        ok("run", "-d", "--name", "unless", "--restart", "unless-stopped", "busybox", "sleep", "600");
        ok("stop", "-t", "0", "unless");
        sleep(1000);
        assertThat(inspect("{{.State.Status}} {{.RestartCount}}", "unless")).isEqualTo("exited 0");

        // A manual start gives the policy back: its next death restarts it again.
        ok("start", "forever");
        assertThat(inspect("{{.RestartCount}}", "forever")).isEqualTo("0");
        eventually(Duration.ofSeconds(10), () -> Integer.parseInt(inspect("{{.RestartCount}}", "forever")), n -> n >= 1);
        ok("rm", "-f", "flaky", "clean", "forever", "unless");
    }

    @Test
    @Order(12)
    void restartPoliciesApplyWhenTheServiceComesBack() {
        // The first run ends 4 s in, while the service is down; the next one keeps running. (4 s: two runs and two
        // stops on the default bridge must fit before it, on a loaded 2-core machine.)
        String phoenix = ok("run", "-d", "--name", "phoenix", "--restart", "always", "busybox", "sh", "-c",
                "if [ -f /ran ]; then exec sleep 600; fi; touch /ran; sleep 4; exit 3").trim();
        ok("run", "-d", "--name", "stays", "--restart", "unless-stopped", "busybox", "sleep", "600");
        ok("stop", "-t", "0", "stays");
        ok("run", "-d", "--name", "back", "--restart", "always", "busybox", "sleep", "600");
        ok("stop", "-t", "0", "back");
        tallyman.stop();
        sleep(5000);
        tallyman.start();

        awaitStatus("phoenix", "running", Duration.ofSeconds(10));
        assertThat(events(phoenix)).contains("container.died SYSTEM reconcile");
        assertThat(payloads(phoenix, "container.died")).anyMatch(p -> p.contains("\"exitCode\":3"));
        assertThat(ok("exec", "phoenix", "ls", "/ran").trim()).isEqualTo("/ran");
        // Docker brings back an always container at daemon start even after a manual stop; unless-stopped stays.
        awaitStatus("back", "running", Duration.ofSeconds(10));
        sleep(500);
        assertThat(inspect("{{.State.Status}}", "stays")).isEqualTo("exited");
        ok("rm", "-f", "phoenix", "stays", "back");
        assertNothingLeft(phoenix);
    }
}
