package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * docker run's resource and privilege options, checked where they take effect: the container's cgroup v1 files,
 * what the process sees in /proc, and inspect's HostConfig. Bad values get Docker's exit 125 and message and
 * leave nothing behind; an OOM kill shows as exit 137, OOMKilled and an event.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class RunOptionsIT extends ContainerItSupport {
    /** Docker's default capability set, as CapEff shows it. */
    private static final String DOCKER_DEFAULT_CAPS = "00000000a80425fb";

    @Override
    protected String instanceName() {
        return "runoptions";
    }

    @Test
    @Order(1)
    void resourceLimitsReachTheCgroups() throws Exception {
        String id = ok("run", "-d", "--name", "limited", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5",
                "--cpu-shares", "512", "--cpuset-cpus", "0", "--pids-limit", "50",
                "--ulimit", "nofile=1024:2048", "busybox", "sleep", "600").trim();
        assertThat(cgroup("memory", id, "memory.limit_in_bytes")).isEqualTo("67108864");
        assertThat(cgroup("memory", id, "memory.memsw.limit_in_bytes")).isEqualTo("134217728");
        assertThat(cgroup("cpu", id, "cpu.cfs_quota_us")).isEqualTo("50000");
        assertThat(cgroup("cpu", id, "cpu.cfs_period_us")).isEqualTo("100000");
        assertThat(cgroup("cpu", id, "cpu.shares")).isEqualTo("512");
        assertThat(cgroup("cpuset", id, "cpuset.cpus")).isEqualTo("0");
        assertThat(cgroup("pids", id, "pids.max")).isEqualTo("50");
        // The container's own process has the limits. (An exec'd process is not asked: runc 1.1.5 as Debian builds
        // it, with Go 1.19, raises an exec's soft limit to its hard one.)
        assertThat(ok("exec", "limited", "sh", "-c", "grep 'open files' /proc/1/limits").trim().split("\\s+"))
                .containsSequence("1024", "2048");
        assertThat(inspect("{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} "
                + "{{.HostConfig.CpuShares}} {{.HostConfig.CpusetCpus}} {{.HostConfig.PidsLimit}}", "limited"))
                .isEqualTo("67108864 134217728 500000000 512 0 50");
        assertThat(inspect("{{range .HostConfig.Ulimits}}{{.Name}}={{.Soft}}:{{.Hard}}{{end}}", "limited"))
                .isEqualTo("nofile=1024:2048");

        // The pids limit holds: the 51st process cannot be made.
        CommandResult forks = tallyman.docker("exec", "limited", "sh", "-c",
                "i=0; while [ $i -lt 60 ]; do sleep 30 & i=$((i+1)); done; wait");
        assertThat(forks.stderr()).containsIgnoringCase("resource temporarily unavailable");

        // Without --memory-swap, swap is twice the memory, as in Docker.
        String swapDefault = ok("run", "-d", "--name", "swapdefault", "--memory", "32m", "busybox", "sleep", "600").trim();
        assertThat(cgroup("memory", swapDefault, "memory.memsw.limit_in_bytes")).isEqualTo("67108864");
        assertThat(inspect("{{.HostConfig.MemorySwap}}", "swapdefault")).isEqualTo("67108864");
        ok("rm", "-f", "limited", "swapdefault");
        assertNothingLeft(id, swapDefault);
    }

    @Test
    @Order(2)
    void readOnlyRootWithTmpfs() {
        CommandResult readOnly = tallyman.docker("run", "--rm", "--read-only", "--tmpfs", "/run:size=1m", "busybox", "sh", "-c",
                "touch /run/ok && echo tmpfs-writable; grep ' /run ' /proc/mounts; touch /nope");
        assertThat(readOnly.exitCode()).as(readOnly.toString()).isEqualTo(1);
        assertThat(readOnly.stdout()).contains("tmpfs-writable").contains("tmpfs /run tmpfs").contains("size=1024k");
        assertThat(readOnly.stderr()).contains("Read-only file system");
        ok("create", "--name", "ro", "--read-only", "--tmpfs", "/run", "busybox", "true");
        assertThat(inspect("{{.HostConfig.ReadonlyRootfs}} {{.HostConfig.Tmpfs}}", "ro")).isEqualTo("true map[/run:]");
        ok("rm", "ro");
    }

    @Test
    @Order(3)
    void capabilitiesPrivilegesAndNoNewPrivileges() {
        assertThat(capEff()).isEqualTo(DOCKER_DEFAULT_CAPS);
        assertThat(capEff("--cap-drop", "ALL")).isEqualTo("0000000000000000");
        // NET_ADMIN is bit 12.
        assertThat(Long.parseLong(capEff("--cap-add", "NET_ADMIN"), 16))
                .isEqualTo(Long.parseLong(DOCKER_DEFAULT_CAPS, 16) | (1L << 12));
        assertThat(Long.parseLong(capEff("--cap-drop", "CHOWN"), 16))
                .isEqualTo(Long.parseLong(DOCKER_DEFAULT_CAPS, 16) & ~1L);
        String bounding = Shell.run("sh", "-c", "grep CapBnd /proc/self/status").stdout().replaceAll("\\s+", " ").trim().split(" ")[1];
        assertThat(capEff("--privileged")).isEqualTo(bounding);
        assertThat(exits(125, "run", "--rm", "--cap-add", "NOT_A_CAP", "busybox", "true").stderr())
                .contains("unknown capability: \"CAP_NOT_A_CAP\"");

        assertThat(ok("run", "--rm", "busybox", "grep", "NoNewPrivs", "/proc/self/status")).matches("NoNewPrivs:\\s+0\n");
        assertThat(ok("run", "--rm", "--security-opt", "no-new-privileges", "busybox", "grep", "NoNewPrivs", "/proc/self/status"))
                .matches("NoNewPrivs:\\s+1\n");
        ok("create", "--name", "caps", "--cap-add", "NET_ADMIN", "--cap-drop", "CHOWN", "--security-opt", "no-new-privileges",
                "busybox", "true");
        assertThat(inspect("{{.HostConfig.CapAdd}} {{.HostConfig.CapDrop}} {{.HostConfig.SecurityOpt}} {{.HostConfig.Privileged}}", "caps"))
                .isEqualTo("[CAP_NET_ADMIN] [CAP_CHOWN] [no-new-privileges] false");
        ok("rm", "caps");
    }

    private String capEff(String... options) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm"));
        args.addAll(List.of(options));
        args.addAll(List.of("busybox", "grep", "CapEff", "/proc/self/status"));
        return ok(args.toArray(String[]::new)).replaceAll("\\s+", " ").trim().split(" ")[1];
    }

    @Test
    @Order(4)
    void initRunsAsPidOne() {
        assertThat(ok("run", "--rm", "--init", "busybox", "cat", "/proc/1/comm")).isEqualTo("docker-init\n");
        assertThat(ok("run", "--rm", "busybox", "cat", "/proc/1/comm")).isEqualTo("cat\n");
        // With an init, plain sleep gets SIGTERM forwarded and stops at once instead of waiting for SIGKILL.
        ok("run", "-d", "--name", "inited", "--init", "busybox", "sleep", "600");
        long began = System.nanoTime();
        ok("stop", "-t", "5", "inited");
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - began)).isLessThan(java.time.Duration.ofSeconds(4));
        assertThat(inspect("{{.HostConfig.Init}} {{.State.ExitCode}}", "inited")).isEqualTo("true 143");
        ok("rm", "inited");
    }

    @Test
    @Order(5)
    void invalidValuesAreRefusedAndLeaveNothing() throws Exception {
        Set<String> cgroupsBefore = memoryCgroups();
        refused(List.of("--memory", "1k"), "Minimum memory limit allowed is 6MB", true);
        refused(List.of("--cpus", "5"), "Range of CPUs is from 0.01 to 2.00, as there are only 2 CPUs available", true);
        refused(List.of("--cpuset-cpus", "abc"), "Invalid value abc for cpuset cpus", true);
        refused(List.of("--memory", "64m", "--memory-swap", "32m"),
                "Minimum memoryswap limit should be larger than memory limit, see usage", true);
        refused(List.of("--cpu-shares", "-5"), "invalid CPU shares (-5): value must be a positive integer", true);
        // The CLI itself refuses a malformed ulimit before asking the service.
        refused(List.of("--ulimit", "bad"), "invalid argument \"bad\" for \"--ulimit\" flag", false);
        refused(List.of("--tmpfs", "relative"), "invalid mount path", true);
        assertThat(memoryCgroups()).isSubsetOf(cgroupsBefore);
    }

    private void refused(List<String> options, String message, boolean reachesService) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "--rm", "--name", "bad"));
        args.addAll(options);
        args.addAll(List.of("busybox", "true"));
        CommandResult result = tallyman.docker(args.toArray(String[]::new));
        assertThat(result.exitCode()).as(result.toString()).isEqualTo(125);
        assertThat(result.stderr()).contains(message);
        assertThat(ok("ps", "-aq")).as("containers after " + options).isBlank();
        assertThat(tallyman.leftoverMounts()).isEmpty();
        assertThat(tallyman.leftoverRuncContainers()).isEmpty();
        if (reachesService) {
            assertThat(lastRefusal()).startsWith("POST /containers/create").contains(" 400 ").contains(message);
        }
    }

    @Test
    @Order(6)
    void anOomKillShowsInInspect() {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        CommandResult hog = tallyman.docker("run", "--name", "hog", "--memory", "16m", "busybox", "tail", "/dev/zero");
        assertThat(hog.exitCode()).as(hog.toString()).isEqualTo(137);
        assertThat(inspect("{{.State.Status}} {{.State.ExitCode}} {{.State.OOMKilled}}", "hog")).isEqualTo("exited 137 true");
        String id = inspect("{{.Id}}", "hog");
        assertThat(events(id)).contains("container.oom SYSTEM runtime", "container.died SYSTEM runtime");
        assertThat(dockerEvents(since, "container=hog", "{{.Action}}")).containsSubsequence("oom", "die");
        ok("rm", "hog");
    }

    private static String cgroup(String controller, String id, String file) throws Exception {
        return Files.readString(Path.of("/sys/fs/cgroup", controller, "tallyman", id, file)).trim();
    }

    private static Set<String> memoryCgroups() throws Exception {
        Path parent = Path.of("/sys/fs/cgroup/memory/tallyman");
        if (!Files.isDirectory(parent)) {
            return Set.of();
        }
        try (var list = Files.list(parent)) {
            return list.filter(Files::isDirectory).map(p -> p.getFileName().toString()).collect(java.util.stream.Collectors.toSet());
        }
    }
}
