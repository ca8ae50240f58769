package dev.tallyman.runtime;

import dev.tallyman.runtime.cgroups.CgroupPaths;
import dev.tallyman.runtime.cgroups.DockerStats;
import dev.tallyman.runtime.cgroups.StatsSample;
import dev.tallyman.runtime.logs.ContainerLogReader;
import dev.tallyman.runtime.logs.JsonFileLogOptions;
import dev.tallyman.runtime.logs.JsonFileLogReader;
import dev.tallyman.runtime.logs.JsonFileLogShipper;
import dev.tallyman.runtime.logs.LogEntry;
import dev.tallyman.runtime.oci.ContainerProcess;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.OciSpecWriter;
import dev.tallyman.runtime.oci.ResourceValidation;
import dev.tallyman.runtime.oci.Resources;
import dev.tallyman.runtime.oci.Ulimit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/** Limits, run options, pause, OOM, stats and json-file logs with real runc and conmon on this host. Needs root. */
class ResourceLimitsIT {
    static Path work;
    static Path rootfs;
    static RuntimeConfig config;
    static ContainerRuntime runtime;
    static final OciSpecWriter WRITER = OciSpecWriter.forHost();
    static final ContainerLogReader LOGS = new ContainerLogReader();

    final List<String> ids = new ArrayList<>();
    final List<Integer> conmonPids = new ArrayList<>();

    @BeforeAll
    static void setUp() throws IOException {
        work = RuntimeSandbox.create("tallyman-limits-it");
        assertThat(ContainerSpecification.DEFAULT_INIT_BINARY).as("--init needs Debian's tini").isExecutable();
        rootfs = BusyboxRootfs.create(work.resolve("rootfs"));
        for (String applet : List.of("grep", "wc", "dd", "tr")) {
            Files.createSymbolicLink(rootfs.resolve("bin").resolve(applet), Path.of("busybox"));
        }
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
                if (runtime.state(id).map(state -> state.status() == RuncState.Status.PAUSED).orElse(false)) {
                    runtime.resume(id);
                }
                runtime.delete(id, true);
            } catch (RuntimeException e) {
                problems.add(id + ": " + e.getMessage());
            }
            if (Files.exists(memoryCgroup(id))) {
                problems.add(id + ": cgroup " + memoryCgroup(id) + " left behind");
            }
        }
        problems.addAll(RuntimeSandbox.killLiveConmons(conmonPids, Duration.ZERO));
        assertThat(problems).as("leftovers after the test").isEmpty();
    }

    static Path memoryCgroup(String id) {
        return Path.of("/sys/fs/cgroup/memory" + ContainerSpecification.defaultCgroupsPath(id));
    }

    static Path cgroupFile(String controller, String id, String file) {
        return Path.of("/sys/fs/cgroup/" + controller + ContainerSpecification.defaultCgroupsPath(id), file);
    }

    String newId() {
        String id = "lim-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        ids.add(id);
        return id;
    }

    Path log(String id) {
        return work.resolve("logs").resolve(id).resolve("container.log");
    }

    RunningProcess start(String id, UnaryOperator<ContainerSpecification.Builder> change, String... args) {
        Path bundle = work.resolve("bundles").resolve(id);
        WRITER.write(change.apply(ContainerSpecification.builder(id, rootfs, ContainerProcess.of(args))).build(),
                bundle);
        RunningProcess created = runtime.create(id, bundle, log(id));
        conmonPids.add(created.conmonPid());
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
            sleep(2);
        }
        return fail("container " + id + " did not exit within " + timeout);
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    String output(String id) {
        StringBuilder text = new StringBuilder();
        LOGS.read(log(id), Optional.empty(), Optional.empty(), OptionalInt.empty()).forEach(e -> text.append(e.text()));
        return text.toString();
    }

    static String read(Path file) {
        try {
            return Files.readString(file).trim();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    static Resources valid(Resources.Builder builder) {
        return ResourceValidation.validate(builder.build());
    }

    @Test
    void memoryLimitAndDefaultSwapAreInTheCgroup() {
        String id = newId();
        start(id, b -> b.resources(valid(Resources.builder().memory(64L << 20))), "sleep", "30");
        assertThat(read(cgroupFile("memory", id, "memory.limit_in_bytes"))).isEqualTo(Long.toString(64L << 20));
        assertThat(read(cgroupFile("memory", id, "memory.memsw.limit_in_bytes"))).isEqualTo(Long.toString(128L << 20));
    }

    @Test
    void cpusSharesAndCpusetAreInTheCgroup() {
        String id = newId();
        start(id, b -> b.resources(valid(Resources.builder().nanoCpus(500_000_000L).cpuShares(512).cpusetCpus("0"))),
                "sleep", "30");
        assertThat(read(cgroupFile("cpu", id, "cpu.cfs_quota_us"))).isEqualTo("50000");
        assertThat(read(cgroupFile("cpu", id, "cpu.cfs_period_us"))).isEqualTo("100000");
        assertThat(read(cgroupFile("cpu", id, "cpu.shares"))).isEqualTo("512");
        assertThat(read(cgroupFile("cpuset", id, "cpuset.cpus"))).isEqualTo("0");
    }

    @Test
    void pidsLimitStopsForking() {
        String id = newId();
        start(id, b -> b.resources(valid(Resources.builder().pidsLimit(10))),
                "sh", "-c", "for i in $(seq 20); do sleep 2 & done; echo started; wait");
        ExitStatus exit = awaitExit(id, Duration.ofSeconds(20));
        String output = output(id);
        // The shell cannot start the 10th process: busybox says so and gives up.
        assertThat(output).contains("can't fork: Resource temporarily unavailable").doesNotContain("started");
        assertThat(exit.exitCode()).isNotZero();
    }

    @Test
    void ulimitNofileIsSeenInside() {
        String id = newId();
        start(id, b -> b.ulimit(Ulimit.parse("nofile=1024:2048")), "sh", "-c", "ulimit -n; ulimit -Hn");
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
        assertThat(output(id)).isEqualTo("1024\n2048\n");
    }

    @Test
    void readOnlyRootfsRefusesWritesButTmpfsTakesThem() {
        String id = newId();
        start(id, b -> b.readonlyRootfs(true).tmpfs("/x", "size=1m"),
                "sh", "-c", "echo a > /x/f && cat /x/f; if (echo b > /f) 2>/dev/null; then echo rw; else echo ro; fi; "
                        + "grep ' /x ' /proc/mounts | grep -c noexec");
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isZero();
        assertThat(output(id)).isEqualTo("a\nro\n1\n");
        assertThat(rootfs.resolve("f")).doesNotExist();
    }

    @Test
    void initRunsAsPidOneAndPassesTheExitCode() {
        String id = newId();
        start(id, b -> b.init(true), "sh", "-c", "tr '\\0' ' ' < /proc/1/cmdline; echo; exit 3");
        assertThat(awaitExit(id, Duration.ofSeconds(10)).exitCode()).isEqualTo(3);
        assertThat(output(id)).startsWith("/sbin/docker-init -- sh -c ");
    }

    @Test
    void pauseFreezesAndResumeThaws() {
        String id = newId();
        start(id, b -> b, "sh", "-c", "i=0; while true; do i=$((i+1)); echo $i; sleep 0.02; done");
        sleep(200);
        runtime.pause(id);
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.PAUSED);
        assertThat(read(cgroupFile("freezer", id, "freezer.state"))).isEqualTo("FROZEN");
        int frozen = output(id).split("\n").length;
        sleep(300);
        assertThat(output(id).split("\n").length).as("no output while paused").isEqualTo(frozen);
        runtime.resume(id);
        assertThat(runtime.state(id).orElseThrow().status()).isEqualTo(RuncState.Status.RUNNING);
        sleep(300);
        assertThat(output(id).split("\n").length).isGreaterThan(frozen + 3);
    }

    @Test
    void outOfMemoryIs137AndOomKilled() {
        String id = newId();
        start(id, b -> b.resources(valid(Resources.builder().memory(16L << 20).memorySwap(16L << 20))),
                "sh", "-c", "x=a; while true; do x=$x$x; done");
        ExitStatus exit = awaitExit(id, Duration.ofSeconds(30));
        assertThat(exit.exitCode()).isEqualTo(137);
        assertThat(exit.oomKilled()).isTrue();
    }

    @Test
    void statsAreSane() {
        String id = newId();
        start(id, b -> b.resources(valid(Resources.builder().memory(64L << 20).pidsLimit(50))),
                "sh", "-c", "i=0; while [ $i -lt 20000 ]; do i=$((i+1)); done; sleep 30");
        sleep(500);
        StatsSample first = runtime.stats(id).orElseThrow();
        sleep(200);
        StatsSample second = runtime.stats(id).orElseThrow();
        assertThat(second.memory().limit()).isEqualTo(64L << 20);
        assertThat(second.memory().usage()).isPositive().isLessThan(64L << 20);
        assertThat(second.memory().stats()).containsKey("rss");
        assertThat(second.pids().current()).isBetween(1L, 5L);
        assertThat(second.pids().limit()).hasValue(50);
        assertThat(second.cpu().totalUsage()).isPositive().isGreaterThanOrEqualTo(first.cpu().totalUsage());
        assertThat(second.cpu().systemUsage()).isGreaterThan(first.cpu().systemUsage());
        assertThat(second.cpu().onlineCpus()).isEqualTo(Runtime.getRuntime().availableProcessors());
        assertThat(second.cpu().perCpuUsage()).hasSize(second.cpu().onlineCpus());
        assertThat(second.networks()).containsKey("lo");
        assertThat(DockerStats.json(id, "/" + id, second, Optional.of(first), true).at("/memory_stats/limit").asLong())
                .isEqualTo(64L << 20);
        assertThat(CgroupPaths.forHost(ContainerSpecification.defaultCgroupsPath(id)).isV2()).isFalse();
        assertThat(runtime.stats("lim-never-existed")).isEmpty();
    }

    @Test
    void jsonFileLogKeepsEverythingAcrossAShipperRestart() {
        String id = newId();
        Path json = work.resolve("logs").resolve(id).resolve(id + "-json.log");
        JsonFileLogOptions options = new JsonFileLogOptions(2_000, 10, Map.of());
        JsonFileLogShipper shipper = new JsonFileLogShipper(log(id), json, options).start();
        start(id, b -> b, "sh", "-c", "for i in $(seq 1 100); do echo $i; sleep 0.005; done; printf end");
        sleep(150);
        shipper.close(); // Tallyman stops; the container goes on writing into conmon's spool
        ExitStatus exit = awaitExit(id, Duration.ofSeconds(20));
        try (JsonFileLogShipper again = new JsonFileLogShipper(log(id), json, options)) {
            again.drain();
        }
        List<LogEntry> entries = new JsonFileLogReader().read(json, Optional.empty(), Optional.empty(),
                OptionalInt.empty());
        List<String> expected = new ArrayList<>();
        for (int i = 1; i <= 100; i++) {
            expected.add(i + "\n");
        }
        expected.add("end");
        assertThat(exit.exitCode()).isZero();
        assertThat(entries).extracting(LogEntry::text).isEqualTo(expected);
        assertThat(json.resolveSibling(id + "-json.log.1")).exists();
    }
}
