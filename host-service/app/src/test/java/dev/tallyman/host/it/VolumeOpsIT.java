package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * `ops/tallyman down` with volumes in use leaves no volume mount behind (a tmpfs-backed volume of a running
 * container included), and the volumes and their data on disk are there again after the next `up`. Runs the real
 * script with its own socket, roots and PostgreSQL port.
 */
class VolumeOpsIT {
    private static final Path REPO = Path.of("../..").toAbsolutePath().normalize();
    private static final String DATA_ROOT = "/var/lib/tallyman-it/vol-ops";
    private static final String EXEC_ROOT = "/run/tallyman-it/vol-ops-exec";
    private static final Map<String, String> ENV = Map.of(
            "TALLYMAN_SOCKET", "/run/tallyman-it/vol-ops.sock",
            "TALLYMAN_DATA_ROOT", DATA_ROOT,
            "TALLYMAN_EXEC_ROOT", EXEC_ROOT,
            "TALLYMAN_PG_PORT", "54337");

    private static CommandResult ops(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of(REPO.resolve("ops/tallyman").toString()));
        command.addAll(List.of(args));
        return Shell.run(command, ENV, null, 300);
    }

    private static String docker(String... args) {
        List<String> command = new java.util.ArrayList<>(List.of("/usr/local/bin/docker"));
        command.addAll(List.of(args));
        CommandResult result = Shell.run(command, Map.of("DOCKER_HOST", "unix:///run/tallyman-it/vol-ops.sock",
                "DOCKER_CONFIG", "/tmp/tallyman-it-docker-config"), null, 120);
        assertThat(result.exitCode()).as("docker " + String.join(" ", args) + "\n" + result).isZero();
        return result.stdout();
    }

    private static List<String> mountsOfThisInstance() throws Exception {
        return Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                .map(l -> l.split(" ")[4])
                .filter(p -> p.startsWith(DATA_ROOT) || p.startsWith(EXEC_ROOT)).toList();
    }

    @AfterAll
    static void tearDown() {
        ops("down");
        Shell.run("rm", "-rf", DATA_ROOT, EXEC_ROOT, "/run/tallyman-it/vol-ops.sock");
    }

    @Test
    void downLeavesNoVolumeMountAndUpFindsTheVolumesAgain() throws Exception {
        CommandResult up = ops("up");
        assertThat(up.exitCode()).as(up.toString()).isZero();
        docker("import", BusyboxTar.get().toString(), "busybox");
        docker("volume", "create", "-o", "type=tmpfs", "-o", "device=tmpfs", "-o", "o=size=1m", "ops-tmpfs");
        docker("volume", "create", "ops-disk");
        docker("run", "--rm", "-v", "ops-disk:/d", "busybox", "sh", "-c", "echo kept > /d/f");
        docker("run", "-d", "--name", "ops-holder", "-v", "ops-tmpfs:/t", "-v", "ops-disk:/d", "busybox", "sleep", "600");
        assertThat(mountsOfThisInstance()).contains(DATA_ROOT + "/volumes/ops-tmpfs/_data");

        CommandResult down = ops("down");
        assertThat(down.exitCode()).as(down.toString()).isZero();
        assertThat(mountsOfThisInstance()).isEmpty();

        CommandResult again = ops("up");
        assertThat(again.exitCode()).as(again.toString()).isZero();
        assertThat(docker("volume", "ls", "-q").lines().toList()).contains("ops-tmpfs", "ops-disk");
        assertThat(docker("run", "--rm", "-v", "ops-disk:/d", "busybox", "cat", "/d/f")).isEqualTo("kept\n");
        assertThat(mountsOfThisInstance()).isEmpty();
        assertThat(ops("down").exitCode()).isZero();
    }
}
