package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * inspect and stats of the same container, Tallyman's next to the Docker peer's (ops/lib/docker-peer, used only
 * under flock /tmp/tallyman-peer.lock and stopped again within it), field by field: every key Docker sends is
 * there with the same JSON type, and values that do not depend on the machine or the moment are equal (issue 15).
 */
class PeerShapeIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper();
    /** Keys the peer's Docker sends that Tallyman leaves out on purpose, with the reason next to each. */
    private static final List<String> NOT_SENT = List.of(
            ".HostConfig.MaskedPaths", ".HostConfig.ReadonlyPaths", // runc's defaults, not Tallyman's to promise
            ".GraphDriver.Data.LowerDir", ".GraphDriver.Data.UpperDir", ".GraphDriver.Data.WorkDir"); // overlay2 detail

    @Override
    protected String instanceName() {
        return "api-peer";
    }

    @Test
    void inspectAndStatsHaveDockersKeysAndTypes() throws Exception {
        Path out = Files.createTempDirectory("api-peer-shape");
        String script = String.join("\n",
                "set -e",
                "repo=$1; out=$2; tar=$3",
                "host=$(\"$repo/ops/lib/docker-peer\" start | tail -n 1 | sed 's/^export //; s/^DOCKER_HOST=//')",
                "trap '\"$repo/ops/lib/docker-peer\" stop >/dev/null 2>&1' EXIT",
                "export DOCKER_HOST=$host DOCKER_CONFIG=/tmp/tallyman-it-docker-config",
                "docker rm -f shape >/dev/null 2>&1 || true",
                "docker import \"$tar\" busybox:latest >/dev/null",
                "docker run -d --name shape busybox sleep 600 >/dev/null",
                "docker inspect shape > \"$out/inspect.json\"",
                "docker stats --no-stream --format '{{json .}}' shape >/dev/null",
                "curl -s --unix-socket \"${host#unix://}\" 'http://d/v1.41/containers/shape/stats?stream=0' > \"$out/stats.json\"",
                "docker rm -f shape >/dev/null");
        Path repo = Path.of("../..").toAbsolutePath().normalize();
        CommandResult peer = Shell.run(List.of("flock", "/tmp/tallyman-peer.lock", "bash", "-c", script, "peer", repo.toString(),
                out.toString(), BusyboxTar.get().toString()), Map.of(), null, 300);
        assertThat(peer.exitCode()).as(peer.toString()).isZero();
        JsonNode dockerInspect = JSON.readTree(out.resolve("inspect.json").toFile()).get(0);
        JsonNode dockerStats = JSON.readTree(out.resolve("stats.json").toFile());
        Shell.run("rm", "-rf", out.toString());

        ok("run", "-d", "--name", "shape", "busybox", "sleep", "600");
        // at the peer's API version (Docker 20.10 serves 1.41): fields come and go with the version asked for
        JsonNode ours = JSON.readTree(tallyman.api("GET", "/v1.41/containers/shape/json", null).stdout()
                .replaceAll("\\n?[0-9]{3}$", ""));
        JsonNode ourStats = JSON.readTree(tallyman.api("GET", "/v1.41/containers/shape/stats?stream=0", null).stdout()
                .replaceAll("\\n?[0-9]{3}$", ""));
        ok("rm", "-f", "shape");

        List<String> differences = new ArrayList<>();
        compare("", dockerInspect, ours, differences);
        compare("stats", dockerStats, ourStats, differences);
        System.out.println("peer comparison: " + differences);
        assertThat(differences).isEmpty();
        // Values that depend on neither machine nor moment. Known, left to the networks work: the CLI asks for
        // NetworkMode "default" and Docker shows it so; Tallyman shows the network it chose, "bridge". Config.Env:
        // for an image without Env Docker shows null and gives PATH to the process only; Tallyman's create puts
        // PATH into the config (CreateContainerHandler.mergeEnv).
        List<String> unequal = new ArrayList<>();
        for (String field : List.of("/Path", "/Args", "/State/Status", "/State/Running",
                "/HostConfig/LogConfig/Type", "/HostConfig/RestartPolicy", "/HostConfig/IpcMode", "/HostConfig/ShmSize",
                "/HostConfig/Runtime", "/HostConfig/CgroupnsMode", "/HostConfig/VolumesFrom", "/HostConfig/PidMode",
                "/HostConfig/UTSMode", "/HostConfig/Isolation", "/HostConfig/MemorySwappiness", "/HostConfig/VolumeDriver",
                "/HostConfig/DeviceCgroupRules", "/Config/Cmd", "/Platform", "/Driver")) {
            if (!ours.at(field).equals(dockerInspect.at(field))) {
                unequal.add(field + ": Docker " + dockerInspect.at(field) + ", Tallyman " + ours.at(field));
            }
        }
        System.out.println("peer values: " + unequal);
        assertThat(unequal).isEmpty();
    }

    /** Each key of Docker's object is in ours with the same JSON type (null matches anything Docker may fill). */
    private static void compare(String path, JsonNode docker, JsonNode ours, List<String> differences) {
        if (NOT_SENT.contains(path)) {
            return;
        }
        if (ours == null || ours.isMissingNode()) {
            differences.add("missing " + path);
            return;
        }
        if (docker.isNull() || ours.isNull()) {
            return;
        }
        if (docker.getNodeType() != ours.getNodeType()) {
            differences.add(path + ": " + docker.getNodeType() + " in Docker, " + ours.getNodeType() + " here");
            return;
        }
        if (docker.isObject() && !path.endsWith(".Networks") && !path.endsWith(".Labels") && !path.equals("stats.networks")) {
            for (Iterator<String> names = docker.fieldNames(); names.hasNext(); ) {
                String name = names.next();
                compare(path + "." + name, docker.get(name), ours.get(name), differences);
            }
        }
    }
}
