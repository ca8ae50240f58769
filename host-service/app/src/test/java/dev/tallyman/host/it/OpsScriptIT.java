package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The README's promise: `ops/tallyman up` starts PostgreSQL and the service and prints the DOCKER_HOST line,
 * is safe to run twice, and `ops/tallyman down` leaves nothing behind: no mount, no runc container, no conmon.
 * Runs the real script with its own socket, roots and PostgreSQL port so it cannot disturb a developer's instance.
 */
class OpsScriptIT {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final Map<String, String> ENV = Map.of(
            "TALLYMAN_SOCKET", "/run/tallyman-ops-it.sock",
            "TALLYMAN_DATA_ROOT", "/var/lib/tallyman-ops-it",
            "TALLYMAN_EXEC_ROOT", "/run/tallyman-ops-it",
            "TALLYMAN_PG_PORT", "54331",
            // a bridge and nft table of its own, so up and down never touch another instance's networks
            "TALLYMAN_BRIDGE", "tmtopsit",
            "TALLYMAN_NFT_TABLE", "tallyman_it_ops");

    private static CommandResult ops(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(REPO.resolve("ops/tallyman").toString()));
        command.addAll(List.of(args));
        return Shell.run(command, ENV, null, 300);
    }

    private static CommandResult docker(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/local/bin/docker"));
        command.addAll(List.of(args));
        return Shell.run(command, Map.of("DOCKER_HOST", "unix:///run/tallyman-ops-it.sock"), null, 120);
    }

    /** A moment just past now, so `docker events` returns instead of following. */
    private static String until() {
        return Long.toString(System.currentTimeMillis() / 1000 + 1);
    }

    @AfterAll
    static void tearDown() {
        ops("down");
        Shell.run("rm", "-rf", "/var/lib/tallyman-ops-it", "/run/tallyman-ops-it");
    }

    @Test
    void upRunsTheServiceAndDownLeavesNothing() throws Exception {
        CommandResult up = ops("up");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        assertThat(up.stdout().trim().lines().reduce((a, b) -> b).orElse(""))
                .isEqualTo("export DOCKER_HOST=unix:///run/tallyman-ops-it.sock");

        CommandResult again = ops("up");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(again.stdout()).contains("already running");

        // The first minute: busybox is there without a registry, imported by Tallyman itself at start.
        CommandResult hello = docker("run", "--rm", "busybox", "echo", "hello");
        assertThat(hello.exitCode()).as(hello.toString()).isZero();
        assertThat(hello.stdout()).isEqualTo("hello\n");
        CommandResult shell = Shell.run(List.of("/usr/local/bin/docker", "run", "-i", "--rm", "busybox", "sh"),
                Map.of("DOCKER_HOST", "unix:///run/tallyman-ops-it.sock"), "echo from $(basename $0); exit 3\n".getBytes(), 60);
        assertThat(shell.exitCode()).as(shell.toString()).isEqualTo(3);
        assertThat(shell.stdout()).isEqualTo("from sh\n");
        CommandResult imports = docker("events", "--since", "10m", "--until", until(), "--filter", "type=image",
                "--filter", "event=import", "--format", "{{.Action}} {{index .Actor.Attributes \"tallyman.actor\"}} "
                        + "{{index .Actor.Attributes \"tallyman.actor.user\"}}");
        assertThat(imports.stdout().lines().toList()).as(imports.toString()).containsExactly("import system seed");
        CommandResult runs = docker("events", "--since", "10m", "--until", until(), "--filter", "event=start",
                "--format", "{{.Action}} {{index .Actor.Attributes \"tallyman.actor\"}} {{index .Actor.Attributes \"tallyman.actor.uid\"}}");
        assertThat(runs.stdout().lines().toList()).as(runs.toString()).containsExactly("start socket 0", "start socket 0");
        CommandResult verify = ops("verify");
        assertThat(verify.exitCode()).as(verify.toString()).isZero();
        CommandResult run = docker("run", "-d", "-p", "18481:80", "busybox", "sleep", "600");
        assertThat(run.exitCode()).as(run.toString()).isZero();
        assertThat(docker("network", "create", "opsnet").exitCode()).isZero();
        CommandResult onNet = docker("run", "-d", "--network", "opsnet", "busybox", "sleep", "600");
        assertThat(onNet.exitCode()).as(onNet.toString()).isZero();
        String userBridge = "tm-" + docker("network", "inspect", "--format", "{{.Id}}", "opsnet").stdout().trim().substring(0, 12);
        assertThat(ops("status").exitCode()).isZero();

        // A restart imports nothing: busybox:latest is there. Nor does it bring back a busybox the user removed.
        CommandResult stop = ops("down");
        assertThat(stop.exitCode()).as(stop.toString()).isZero();
        CommandResult up2 = ops("up");
        assertThat(up2.exitCode()).as(up2.toString()).isZero();
        CommandResult importsAgain = docker("events", "--since", "10m", "--until", until(), "--filter", "event=import", "--format", "{{.Action}}");
        assertThat(importsAgain.stdout().lines().toList()).containsExactly("import");

        CommandResult down = ops("down");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(ops("status").exitCode()).isEqualTo(3);
        assertThat(Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .filter(l -> l.contains("tallyman-ops-it")).toList()).isEmpty();
        assertThat(Shell.run("pgrep", "-f", "conmon.*tallyman-ops-it").stdout()).isBlank();
        CommandResult runc = Shell.run("runc", "--root", "/run/tallyman-ops-it/runc", "list", "-q");
        assertThat(runc.stdout()).isBlank();
        // networks: no bridge, veth, nft table or namespace file of the instance is left
        assertThat(Shell.run("ip", "link", "show", "tmtopsit").exitCode()).isNotZero();
        assertThat(Shell.run("ip", "link", "show", userBridge).exitCode()).isNotZero();
        assertThat(Shell.run("nft", "list", "table", "ip", "tallyman_it_ops").exitCode()).isNotZero();
        assertThat(Path.of("/run/tallyman-ops-it/netns").toFile().list()).isNullOrEmpty();
    }
}
