package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * Containers as programs written against Docker see them (issue 15): the docker CLI where it has the feature,
 * docker-py (Debian's python3-docker) where a client program's call is the point.
 */
class ClientViewIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "api-client";
    }

    @Test
    void removalOfARunningContainerIsRefusedInDockersWords() {
        String id = ok("run", "-d", "--name", "busy", "busybox", "sleep", "600").trim();

        CommandResult refused = exits(1, "rm", "busy");
        assertThat(refused.stderr()).contains("You cannot remove a running container " + id
                + ". Stop the container before attempting removal or force remove");
        assertThat(lastRefusal()).startsWith("DELETE /containers/:name busy 409");
        assertThat(inspect("{{.State.Status}}", "busy")).isEqualTo("running");
        ok("rm", "-f", "busy");
    }

    @Test
    void aContainerBetweenRestartsIsNotRemovedWithoutForce() {
        ok("run", "-d", "--name", "flappy", "--restart", "always", "busybox", "sh", "-c", "sleep 0.2; exit 3");
        // Through several deaths and restarts, rm without force never takes it: not while running, not between runs.
        long until = System.nanoTime() + Duration.ofSeconds(4).toNanos();
        int tries = 0;
        while (System.nanoTime() < until) {
            CommandResult refused = exits(1, "rm", "flappy");
            assertThat(refused.stderr()).containsPattern("You cannot remove a (running|restarting) container ");
            tries++;
        }
        assertThat(tries).isGreaterThan(3);
        assertThat(Integer.parseInt(inspect("{{.RestartCount}}", "flappy"))).isPositive();
        ok("rm", "-f", "flappy");
        assertThat(tallyman.docker("inspect", "flappy").exitCode()).isEqualTo(1);
    }

    @Test
    void killReturnsOnceTheContainerIsDeadWith137() {
        for (int i = 0; i < 5; i++) {
            String name = "victim" + i;
            ok("run", "-d", "--name", name, "busybox", "sleep", "600");
            ok("kill", name);
            // Right after kill returns, as a client reads it: not running, killed by SIGKILL, removable.
            assertThat(inspect("{{.State.Running}} {{.State.Status}} {{.State.ExitCode}}", name)).isEqualTo("false exited 137");
            ok("rm", name);
        }
    }

    @Test
    void anExitedContainerIsCommittedWithoutPause() {
        ok("run", "--name", "maker", "busybox", "sh", "-c", "echo made > /made");
        ok("commit", "maker", "made:1");
        assertThat(ok("run", "--rm", "made:1", "cat", "/made")).isEqualTo("made\n");
        ok("rm", "maker");
        ok("rmi", "made:1");
    }

    @Test
    void anEnvEntryWithoutValueIsKeptInTheConfigAndUnsetInTheProcess() {
        ok("create", "--name", "envy", "-e", "TALLYMAN_IT_NEVER_SET", "-e", "GIVEN=1", "busybox", "env");
        assertThat(inspect("{{json .Config.Env}}", "envy")).contains("\"TALLYMAN_IT_NEVER_SET\"", "\"GIVEN=1\"");
        String env = ok("start", "-a", "envy");
        assertThat(env).contains("GIVEN=1").doesNotContain("TALLYMAN_IT_NEVER_SET");
        ok("rm", "envy");
    }

    @Test
    void anUnknownLogDriverIsRefusedAndNoneKeepsNothing() {
        CommandResult refused = exits(125, "run", "--name", "badlog", "--log-driver", "bogus", "busybox", "true");
        assertThat(refused.stderr()).contains("logger: no log driver named 'bogus' is registered");
        assertThat(lastRefusal()).startsWith("POST /containers/create").contains(" 400 ");
        assertThat(tallyman.docker("inspect", "badlog").exitCode()).isEqualTo(1);

        ok("run", "--name", "quiet", "--log-driver", "none", "busybox", "echo", "unheard");
        assertThat(inspect("{{.HostConfig.LogConfig.Type}}|{{.LogPath}}", "quiet")).isEqualTo("none|");
        CommandResult logs = exits(1, "logs", "quiet");
        assertThat(logs.stderr()).contains("configured logging driver does not support reading");
        ok("rm", "quiet");
    }

    @Test
    void groupAddGivesTheProcessTheGroups() {
        String groups = ok("run", "--rm", "--group-add", "1234", "--group-add", "4321", "busybox", "id", "-G");
        assertThat(List.of(groups.trim().split(" "))).contains("0", "1234", "4321");
        ok("create", "--name", "grouped", "--group-add", "1234", "busybox", "true");
        assertThat(inspect("{{json .HostConfig.GroupAdd}}", "grouped")).isEqualTo("[\"1234\"]");
        ok("rm", "grouped");
    }

    @Test
    void attachWithLogsAndNoStreamAnswersTheOutputSoFar() {
        String id = ok("run", "-d", "--name", "talker", "busybox", "sh", "-c", "echo one; echo two >&2; sleep 600").trim();
        eventually(Duration.ofSeconds(10), () -> ok("logs", "talker"), s -> s.contains("one"));
        String script = String.join("\n",
                "import docker, sys",
                "api = docker.APIClient(base_url=sys.argv[1], version='1.41')",
                "out = api.attach(sys.argv[2], stdout=True, stderr=True, stream=False, logs=True)",
                "sys.stdout.write(out.decode())");
        // The wire first: a raw socket, the whole answer, frames after the 101.
        String raw = String.join("\n",
                "import socket, sys",
                "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1][len('unix://'):])",
                "s.sendall(('POST /v1.41/containers/%s/attach?logs=1&stream=0&stdout=1&stderr=1 HTTP/1.1\\r\\n'"
                        + " 'Host: d\\r\\nConnection: Upgrade\\r\\nUpgrade: tcp\\r\\nContent-Length: 0\\r\\n\\r\\n' % sys.argv[2]).encode())",
                "data = b''",
                "while True:",
                "    chunk = s.recv(65536)",
                "    if not chunk: break",
                "    data += chunk",
                "print(repr(data))");
        CommandResult wire = Shell.run(List.of("python3", "-c", raw, tallyman.dockerHost(), id), Map.of(), null, 60);
        assertThat(wire.stdout()).as(wire.toString()).contains("101 UPGRADED", "\\x01\\x00\\x00\\x00\\x00\\x00\\x00\\x04one\\n",
                "\\x02\\x00\\x00\\x00\\x00\\x00\\x00\\x04two\\n");
        CommandResult result = Shell.run(List.of("python3", "-c", script, tallyman.dockerHost(), id), Map.of(), null, 60);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).contains("one\n").contains("two\n");
        ok("rm", "-f", "talker");
    }

    @Test
    void inspectHasTheFieldsDockerAlwaysSends() {
        ok("create", "--name", "shape", "busybox", "true");
        String host = inspect("{{json .HostConfig}}", "shape");
        for (String key : List.of("VolumesFrom", "DeviceCgroupRules", "PidMode", "UTSMode", "Isolation", "MemorySwappiness",
                "Runtime", "VolumeDriver", "GroupAdd", "ShmSize", "IpcMode")) {
            assertThat(host).as(key).contains("\"" + key + "\":");
        }
        assertThat(inspect("{{.HostConfig.Runtime}}|{{.HostConfig.PidMode}}|{{.NetworkSettings.MacAddress}}|", "shape"))
                .startsWith("runc||");
        // docker-py indexes them without checking
        String script = String.join("\n",
                "import docker, sys",
                "c = docker.DockerClient(base_url=sys.argv[1]).containers.get('shape')",
                "h = c.attrs['HostConfig']",
                "print(h['VolumesFrom'], h['DeviceCgroupRules'], h['MemorySwappiness'], repr(h['Isolation']),"
                        + " repr(c.attrs['NetworkSettings']['MacAddress']))");
        CommandResult result = Shell.run(List.of("python3", "-c", script, tallyman.dockerHost()), Map.of(), null, 60);
        assertThat(result.exitCode()).as(result.toString()).isZero();
        assertThat(result.stdout()).startsWith("None None None ''");
        ok("rm", "shape");
    }

    @Test
    void waitForRemovalOfAnAlreadyRemovedRmContainerAnswersItsExitCode() {
        String id = ok("run", "-d", "--rm", "--name", "brief", "busybox", "sh", "-c", "exit 7").trim();
        eventually(Duration.ofSeconds(10), () -> tallyman.docker("inspect", id).exitCode(), code -> code == 1);
        CommandResult byName = tallyman.api("POST", "/v1.41/containers/brief/wait?condition=removed", null);
        assertThat(byName.stdout()).contains("\"StatusCode\":7").endsWith("200");
        CommandResult byId = tallyman.api("POST", "/v1.41/containers/" + id.substring(0, 12) + "/wait?condition=removed", null);
        assertThat(byId.stdout()).contains("\"StatusCode\":7").endsWith("200");
        // Other conditions, and containers that never were, still get Docker's 404.
        assertThat(tallyman.api("POST", "/v1.41/containers/brief/wait", null).stdout()).contains("No such container: brief").endsWith("404");
        assertThat(tallyman.api("POST", "/v1.41/containers/never/wait?condition=removed", null).stdout()).endsWith("404");
    }

    @Test
    void distributionInspectAsksTheRegistry() throws Exception {
        java.nio.file.Path dir = java.nio.file.Files.createTempDirectory("api-client-registry");
        TestRegistry registry = TestRegistry.open(dir);
        try {
            String name = registry.host() + "/team/dist:v1";
            ok("tag", "busybox", name);
            String pushed = ok("push", name);
            String digest = pushed.replaceAll("(?s).*v1: digest: (sha256:[0-9a-f]{64}).*", "$1");
            CommandResult answer = tallyman.api("GET", "/v1.41/distribution/" + name + "/json", null);
            assertThat(answer.stdout()).endsWith("200").contains(
                    "{\"Descriptor\":{\"mediaType\":\"application/vnd.docker.distribution.manifest.v2+json\",\"digest\":\"" + digest + "\",",
                    "\"Platforms\":[{\"architecture\":\"amd64\",\"os\":\"linux\"}]}");
            // docker-py's get_registry_data reads the same answer
            String script = String.join("\n",
                    "import docker, sys",
                    "d = docker.DockerClient(base_url=sys.argv[1], version='1.41').images.get_registry_data(sys.argv[2])",
                    "print(d.id, d.has_platform('linux/amd64'))");
            CommandResult py = Shell.run(List.of("python3", "-c", script, tallyman.dockerHost(), name), Map.of(), null, 60);
            assertThat(py.stdout()).as(py.toString()).isEqualTo(digest + " True\n");
            CommandResult missing = tallyman.api("GET", "/v1.41/distribution/" + registry.host() + "/team/dist:nope/json", null);
            assertThat(missing.stdout()).endsWith("404").contains("manifest unknown");
        } finally {
            registry.close();
            Shell.run("rm", "-rf", dir.toString());
        }
        CommandResult unreachable = tallyman.api("GET", "/v1.41/distribution/127.0.0.1:1/team/dist:v1/json", null);
        assertThat(unreachable.stdout()).endsWith("503").contains("127.0.0.1:1");
        System.out.println("unreachable registry: " + unreachable.stdout());
    }

    @Test
    void updateChangesARunningContainersLimitsAndRestartPolicy() {
        long since = java.time.Instant.now().getEpochSecond() - 1;
        String id = ok("run", "-d", "--name", "grow", "-m", "32m", "busybox", "sleep", "600").trim();
        ok("update", "--memory", "64m", "--memory-swap", "128m", "--cpus", "0.5", "--pids-limit", "50",
                "--restart", "on-failure:3", "grow");
        assertThat(inspect("{{.HostConfig.Memory}} {{.HostConfig.MemorySwap}} {{.HostConfig.NanoCpus}} {{.HostConfig.PidsLimit}}"
                + " {{.HostConfig.RestartPolicy.Name}}:{{.HostConfig.RestartPolicy.MaximumRetryCount}}", "grow"))
                .isEqualTo("67108864 134217728 500000000 50 on-failure:3");
        // The kernel has them too, as the container sees its own cgroups.
        assertThat(ok("exec", "grow", "cat", "/sys/fs/cgroup/memory/memory.limit_in_bytes").trim()).isEqualTo("67108864");
        assertThat(ok("exec", "grow", "cat", "/sys/fs/cgroup/pids/pids.max").trim()).isEqualTo("50");
        assertThat(ok("exec", "grow", "sh", "-c", "cat /sys/fs/cgroup/cpu/cpu.cfs_quota_us || cat /sys/fs/cgroup/cpu,cpuacct/cpu.cfs_quota_us").trim())
                .isEqualTo("50000");
        assertThat(events(id)).anyMatch(e -> e.equals("container.update-requested SOCKET root"))
                .anyMatch(e -> e.equals("container.updated SOCKET root"));
        assertThat(dockerEvents(since, "container=" + id, "{{.Action}}")).contains("update");

        // Docker's refusals: a restart policy on an --rm container, a memory limit above the swap already set.
        ok("create", "--name", "once", "--rm", "busybox", "true");
        assertThat(exits(1, "update", "--restart", "always", "once").stderr())
                .contains("Restart policy cannot be updated because AutoRemove is enabled for the container");
        assertThat(exits(1, "update", "--memory", "512m", "grow").stderr())
                .contains("Memory limit should be smaller than already set memoryswap limit, update the memoryswap at the same time");
        assertThat(lastRefusal()).startsWith("POST /containers/:name/update grow 400");
        ok("rm", "-f", "grow", "once");
    }

    @Test
    void detachKeysFromTheClientsConfigFileDetach() throws Exception {
        java.nio.file.Path config = java.nio.file.Files.createTempDirectory("api-detach-config");
        java.nio.file.Files.writeString(config.resolve("config.json"), "{\"detachKeys\": \"ctrl-x,y\"}");
        try {
            ok("run", "-dit", "--name", "keys", "busybox", "sh");
            try (Terminal t = Terminal.open(tallyman, 24, 80, "--config " + config + " attach keys")) {
                sleep(500);
                t.type("echo k-$((1+1))\r");
                t.await("k-2");
                t.type("\u0018y");
                t.exitCode(Duration.ofSeconds(20));
                assertThat(t.screen()).contains("read escape sequence");
            }
            assertThat(inspect("{{.State.Status}}", "keys")).isEqualTo("running");
            try (Terminal t = Terminal.open(tallyman, 24, 80, "--config " + config + " exec -it keys sh")) {
                sleep(500);
                t.type("echo e-$((2+2))\r");
                t.await("e-4");
                t.type("\u0018y");
                t.exitCode(Duration.ofSeconds(20));
                assertThat(t.screen()).contains("read escape sequence");
            }
            assertThat(inspect("{{.State.Status}}", "keys")).isEqualTo("running");
        } finally {
            tallyman.docker("rm", "-f", "keys");
            Shell.run("rm", "-rf", config.toString());
        }
    }

    @Test
    void anExecIsFramedByItsOwnTtySettingNotTheStartRequests() {
        String id = ok("run", "-d", "--name", "framer", "busybox", "sleep", "600").trim();
        CommandResult created = tallyman.api("POST", "/v1.41/containers/" + id + "/exec",
                "{\"Cmd\":[\"echo\",\"raw\"],\"Tty\":true,\"AttachStdout\":true,\"AttachStderr\":true}");
        String execId = created.stdout().replaceAll("(?s).*\"Id\":\"([0-9a-f]+)\".*", "$1");
        String raw = String.join("\n",
                "import socket, sys",
                "s = socket.socket(socket.AF_UNIX); s.connect(sys.argv[1][len('unix://'):])",
                "body = b'{\"Detach\":false,\"Tty\":false}'",
                "s.sendall(('POST /v1.41/exec/%s/start HTTP/1.1\\r\\nHost: d\\r\\nConnection: Upgrade\\r\\nUpgrade: tcp\\r\\n'"
                        + " 'Content-Type: application/json\\r\\nContent-Length: %d\\r\\n\\r\\n' % (sys.argv[2], len(body))).encode() + body)",
                "data = b''",
                "while True:",
                "    chunk = s.recv(65536)",
                "    if not chunk: break",
                "    data += chunk",
                "print(repr(data.split(b'\\r\\n\\r\\n', 1)[1]))");
        CommandResult wire = Shell.run(List.of("python3", "-c", raw, tallyman.dockerHost(), execId), Map.of(), null, 60);
        // A terminal's output is raw: no 8-byte stream header in front of it.
        assertThat(wire.stdout()).as(wire.toString()).isEqualTo("b'raw\\r\\n'\n");
        ok("rm", "-f", "framer");
    }
}
