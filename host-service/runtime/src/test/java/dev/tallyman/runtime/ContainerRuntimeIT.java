package dev.tallyman.runtime;

import dev.tallyman.runtime.logs.ContainerLogReader;
import dev.tallyman.runtime.logs.LogEntry;
import dev.tallyman.runtime.oci.ContainerProcess;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.OciSpecWriter;
import dev.tallyman.spi.network.Attachment;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.Closeable;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.fail;

/** Real runc and conmon on this host, with a busybox folder as rootfs. Needs root. */
class ContainerRuntimeIT {
    static Path work;
    static Path rootfs;
    static RuntimeConfig config;
    static ContainerRuntime runtime;
    static final OciSpecWriter WRITER = OciSpecWriter.forHost();
    static final ContainerLogReader LOGS = new ContainerLogReader();

    /** Every container a test made, with its conmon, so cleanup goes by id and pid even after a failure. */
    final List<String> ids = new ArrayList<>();
    final List<Integer> conmonPids = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        work = RuntimeSandbox.create("tallyman-runtime-it");
        rootfs = BusyboxRootfs.create(work.resolve("rootfs"));
        config = RuntimeConfig.defaults(work.resolve("state"));
        runtime = new ContainerRuntime(config);
    }

    @AfterAll
    static void tearDown() throws IOException {
        RuntimeSandbox.delete(work);
    }

    @AfterEach
    void removeContainers() {
        List<String> problems = new ArrayList<>();
        for (String id : ids) {
            try {
                runtime.delete(id, true);
            } catch (RuntimeException e) {
                problems.add(id + ": " + e.getMessage());
            }
        }
        Command.Result listed = Command.run(List.of(config.runc().toString(), "--root", config.runcRoot().toString(),
                "list", "-q"), Duration.ofSeconds(10));
        for (String id : ids) {
            if (List.of(listed.stdout().split("\n")).contains(id)) {
                problems.add(id + ": still listed by runc list");
            }
        }
        problems.addAll(RuntimeSandbox.killLiveConmons(conmonPids, Duration.ZERO));
        assertThat(problems).as("leftovers after the test").isEmpty();
    }

    String newId() {
        String id = "it-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        ids.add(id);
        return id;
    }

    Path bundle(String id) {
        return work.resolve("bundles").resolve(id);
    }

    Path log(String id) {
        return work.resolve("logs").resolve(id + ".log");
    }

    RunningProcess create(String id, ContainerProcess process, UnaryOperator<ContainerSpecification.Builder> change) {
        WRITER.write(change.apply(ContainerSpecification.builder(id, rootfs, process)).build(), bundle(id));
        RunningProcess created = runtime.create(id, bundle(id), log(id));
        conmonPids.add(created.conmonPid());
        return created;
    }

    RunningProcess run(String id, String... args) {
        RunningProcess created = create(id, ContainerProcess.of(args), b -> b);
        runtime.start(id);
        return created;
    }

    static ExitStatus awaitExit(String id, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            Optional<ExitStatus> status = runtime.exitStatus(id);
            if (status.isPresent()) {
                return status.get();
            }
            try {
                Thread.sleep(1);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                break;
            }
        }
        return fail("container " + id + " did not exit within " + timeout);
    }

    static List<LogEntry> logOf(Path log) {
        return LOGS.read(log, Optional.empty(), Optional.empty(), OptionalInt.empty());
    }

    @Test
    void echoExitsZeroAndItsOutputIsInTheLog() {
        String id = newId();
        run(id, "echo", "hello");
        ExitStatus exit = awaitExit(id, Duration.ofSeconds(10));
        // Read at once: conmon writes the exit file only after draining the pipes into the log.
        List<LogEntry> entries = logOf(log(id));
        assertThat(exit.exitCode()).isZero();
        assertThat(exit.oomKilled()).isFalse();
        assertThat(entries).extracting(LogEntry::stream, LogEntry::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(LogEntry.Stream.STDOUT, "hello\n"));
    }

    @Test
    void shellExitCodeIsKept() {
        String id = newId();
        run(id, "sh", "-c", "exit 3");
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isEqualTo(3);
    }

    @Test
    void missingCommandFailsWith127AndRuncsMessage() {
        String id = newId();
        assertThatThrownBy(() -> create(id, ContainerProcess.of("nosuchcmd"), b -> b))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(127);
                    assertThat(e.getMessage()).contains("exec: \"nosuchcmd\": executable file not found in $PATH");
                });
        assertThat(runtime.list()).doesNotContain(id);
        assertThat(runtime.state(id)).isEmpty();
    }

    @Test
    void fileThatIsNotExecutableFailsWith126() {
        String id = newId();
        assertThatThrownBy(() -> create(id, ContainerProcess.of("/etc/passwd"), b -> b))
                .isInstanceOfSatisfying(ContainerStartException.class, e -> {
                    assertThat(e.exitCode()).isEqualTo(126);
                    assertThat(e.getMessage()).contains("exec: \"/etc/passwd\": permission denied");
                });
    }

    @Test
    void sigkillOfInitIsRecordedAs137() throws Exception {
        String id = newId();
        run(id, "sleep", "100");
        Thread.sleep(50);
        assertThat(runtime.exitStatus(id)).isEmpty();
        runtime.kill(id, 9, false);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isEqualTo(128 + 9);
    }

    /**
     * The init process of a pid namespace ignores SIGTERM without a handler (so `docker stop` of a plain
     * `sleep` waits for its SIGKILL); a sleep below the shell dies of it and the shell reports 128 + 15.
     */
    @Test
    void sigtermToAllProcessesGives143() throws Exception {
        String id = newId();
        run(id, "sh", "-c", "sleep 100 & wait $!");
        Thread.sleep(100);
        runtime.kill(id, 15, true);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isEqualTo(143);
    }

    @Test
    void containerOutlivesItsRuntimeObjectAndIsFoundAgain() throws Exception {
        String id = newId();
        RunningProcess created = run(id, "sleep", "100");

        ContainerRuntime fresh = new ContainerRuntime(config);
        assertThat(fresh.list()).contains(id);
        RuncState state = fresh.state(id).orElseThrow();
        assertThat(state.status()).isEqualTo(RuncState.Status.RUNNING);
        assertThat(state.pid()).isEqualTo(created.pid());
        assertThat(state.bundle()).isEqualTo(bundle(id));
        assertThat(HostProcess.alive(created.conmonPid())).isTrue();

        fresh.kill(id, 9, false);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isEqualTo(137);
        assertThat(fresh.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.STOPPED);
    }

    @Test
    void stateMovesFromCreatedToRunningToStopped() {
        String id = newId();
        RunningProcess created = create(id, ContainerProcess.of("sleep", "100"), b -> b);
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.CREATED);
        assertThat(runtime.state(id).orElseThrow().pid()).isEqualTo(created.pid());
        runtime.start(id);
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.RUNNING);
        runtime.kill(id, 9, false);
        awaitExit(id, Duration.ofSeconds(10));
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.STOPPED);
    }

    @Test
    void stdoutAndStderrKeepTheirStream() {
        String id = newId();
        run(id, "sh", "-c", "echo out; echo err >&2; printf tail");
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
        assertThat(logOf(log(id))).extracting(LogEntry::stream, LogEntry::text).containsExactlyInAnyOrder(
                org.assertj.core.groups.Tuple.tuple(LogEntry.Stream.STDOUT, "out\n"),
                org.assertj.core.groups.Tuple.tuple(LogEntry.Stream.STDERR, "err\n"),
                org.assertj.core.groups.Tuple.tuple(LogEntry.Stream.STDOUT, "tail"));
    }

    @Test
    void wholeOutputIsReadableWhenTheExitIsReported() throws Exception {
        BlockingQueue<ExitStatus> exits = new ArrayBlockingQueue<>(16);
        try (Closeable watch = runtime.watchExits(exits::add)) {
            String id = newId();
            run(id, "seq", "1", "20000");
            ExitStatus exit = null;
            while (exit == null || !exit.id().equals(id)) {
                exit = exits.poll(10, TimeUnit.SECONDS);
                assertThat(exit).as("exit reported").isNotNull();
            }
            List<LogEntry> entries = logOf(log(id));
            assertThat(exit.exitCode()).isZero();
            assertThat(entries).hasSize(20000);
            assertThat(entries.get(19999).text()).isEqualTo("20000\n");
        }
    }

    @Test
    void followDeliversEverythingUntilTheExit() throws Exception {
        String id = newId();
        create(id, ContainerProcess.of("sh", "-c", "echo one; sleep 0.2; echo two"), b -> b);
        List<LogEntry> seen = Collections.synchronizedList(new ArrayList<>());
        Thread follower = new Thread(() -> LOGS.follow(log(id), true, seen::add,
                () -> runtime.exitStatus(id).isEmpty()));
        follower.start();
        runtime.start(id);
        follower.join(10_000);
        assertThat(follower.isAlive()).isFalse();
        assertThat(seen).extracting(LogEntry::text).containsExactly("one\n", "two\n");
    }

    @Test
    void userHostnameAndEnvironmentReachTheProcess() {
        String id = newId();
        ContainerProcess process = new ContainerProcess(List.of("sh", "-c", "id -u; id -g; hostname; echo $GREETING"),
                List.of("GREETING=hi"), "/tmp", "app", false, true);
        create(id, process, b -> b.hostname("box").readonlyRootfs(true));
        runtime.start(id);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
        assertThat(logOf(log(id))).extracting(LogEntry::text).containsExactly("1000\n", "1000\n", "box\n", "hi\n");
    }

    @Test
    void terminalOutputIsLoggedAsStdout() {
        String id = newId();
        ContainerProcess process = new ContainerProcess(List.of("sh", "-c", "test -t 1 && echo tty"), List.of(), "/",
                "", true, false);
        create(id, process, b -> b);
        runtime.start(id);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
        assertThat(logOf(log(id))).extracting(LogEntry::stream, LogEntry::text)
                .containsExactly(org.assertj.core.groups.Tuple.tuple(LogEntry.Stream.STDOUT, "tty\r\n"));
    }

    @Test
    void memoryLimitKillIsReportedAsOom() {
        String id = newId();
        // sort holds its whole input in memory, and 64 MiB do not fit in 16.
        create(id, ContainerProcess.of("sh", "-c", "head -c 67108864 /dev/zero | sort >/dev/null"),
                b -> b.resources(new dev.tallyman.runtime.oci.Resources(java.util.OptionalLong.of(16L << 20),
                        java.util.OptionalLong.empty(), java.util.OptionalLong.empty(), java.util.OptionalLong.empty(),
                        java.util.OptionalLong.empty())));
        runtime.start(id);
        ExitStatus exit = awaitExit(id, Duration.ofSeconds(20));
        assertThat(exit.oomKilled()).as("oom killed, exit " + exit.exitCode()).isTrue();
        assertThat(exit.exitCode()).isNotZero();
    }

    @Test
    void privilegedOnHostNetworkRuns() {
        String id = newId();
        create(id, ContainerProcess.of("sh", "-c", "ls /sys/class/net | grep -c ."), b -> b.privileged(true)
                .network(Attachment.host()));
        runtime.start(id);
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
    }

    @Test
    void deleteIsIdempotentAndRefusesARunningContainerWithoutForce() {
        String id = newId();
        run(id, "sleep", "100");
        assertThatThrownBy(() -> runtime.delete(id, false))
                .isInstanceOf(ContainerRuntimeException.class)
                .hasMessageStartingWith("delete container " + id + ": ");
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.RUNNING);
        runtime.delete(id, true);
        runtime.delete(id, true);
        runtime.delete("it-never-existed", false);
        assertThat(runtime.list()).doesNotContain(id);
        assertThat(runtime.exitStatus(id)).isEmpty();
        assertThat(config.stateDir().resolve("containers").resolve(id)).doesNotExist();
        assertThat(bundle(id).resolve("ctl")).doesNotExist();
    }

    @Test
    void createStartExitOfTrueIsFast() {
        int runs = 20;
        List<Long> total = new ArrayList<>();
        List<Long> creates = new ArrayList<>();
        List<Long> starts = new ArrayList<>();
        List<Long> exits = new ArrayList<>();
        List<Long> withBundleAndDelete = new ArrayList<>();
        for (int i = 0; i < runs + 3; i++) {
            String id = newId();
            long begin = System.nanoTime();
            WRITER.write(ContainerSpecification.builder(id, rootfs, ContainerProcess.of("true")).build(), bundle(id));
            long written = System.nanoTime();
            RunningProcess process = runtime.create(id, bundle(id), log(id));
            conmonPids.add(process.conmonPid());
            long created = System.nanoTime();
            runtime.start(id);
            long started = System.nanoTime();
            ExitStatus exit = awaitExit(id, Duration.ofSeconds(10));
            long exited = System.nanoTime();
            runtime.delete(id, false);
            long deleted = System.nanoTime();
            assertThat(exit.exitCode()).isZero();
            if (i >= 3) { // the first runs warm up the JIT and the page cache
                total.add((exited - written) / 1000);
                creates.add((created - written) / 1000);
                starts.add((started - created) / 1000);
                exits.add((exited - started) / 1000);
                withBundleAndDelete.add((deleted - begin) / 1000);
            }
        }
        System.out.printf("create+start+exit of true over %d runs: median %d us (min %d, max %d); "
                        + "phases median: create %d us, start %d us, exit seen %d us; "
                        + "with bundle write and delete: median %d us%n",
                runs, median(total), Collections.min(total), Collections.max(total), median(creates), median(starts),
                median(exits), median(withBundleAndDelete));
        assertThat(median(total)).as("median microseconds").isLessThan(300_000);
    }

    static long median(List<Long> values) {
        List<Long> sorted = new ArrayList<>(values);
        Collections.sort(sorted);
        return sorted.get(sorted.size() / 2);
    }
}
