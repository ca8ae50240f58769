package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * docker info next to the Docker peer's (ops/lib/docker-peer, only under flock /tmp/tallyman-peer.lock and
 * stopped within it): what applies to Tallyman is there in Docker's shape, and what describes the same machine,
 * driver, runtime and registry settings has the same value (issue 13).
 */
class InfoPeerIT extends ContainerItSupport {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Override
    protected String instanceName() {
        return "opr-info";
    }

    @Test
    void infoReportsWhatDockerReportsThatApplies() throws Exception {
        Path out = Files.createTempDirectory("opr-info-peer");
        String script = String.join("\n",
                "set -e",
                "repo=$1; out=$2",
                "host=$(\"$repo/ops/lib/docker-peer\" start | tail -n 1 | sed 's/^export //; s/^DOCKER_HOST=//')",
                "trap '\"$repo/ops/lib/docker-peer\" stop >/dev/null 2>&1' EXIT",
                "curl -s --unix-socket \"${host#unix://}\" http://d/v1.41/info > \"$out/info.json\"");
        Path repo = Path.of("../..").toAbsolutePath().normalize();
        CommandResult peer = Shell.run(List.of("flock", "/tmp/tallyman-peer.lock", "bash", "-c", script, "peer",
                repo.toString(), out.toString()), Map.of(), null, 300);
        assertThat(peer.exitCode()).as(peer.toString()).isZero();
        JsonNode docker = JSON.readTree(out.resolve("info.json").toFile());
        Shell.run("rm", "-rf", out.toString());

        ok("run", "-d", "--name", "opr-info-run", "busybox", "sleep", "600");
        ok("create", "--name", "opr-info-idle", "busybox", "true");
        JsonNode ours = JSON.readTree(tallyman.api("GET", "/v1.41/info", null).stdout().replaceAll("\\n?[0-9]{3}$", ""));

        List<String> differences = new ArrayList<>();
        // same JSON type as Docker's for every field that applies
        for (String field : List.of("/Containers", "/ContainersRunning", "/ContainersPaused", "/ContainersStopped", "/Images",
                "/Driver", "/DriverStatus", "/DockerRootDir", "/CgroupDriver", "/CgroupVersion", "/LoggingDriver",
                "/DefaultRuntime", "/Runtimes/runc/path", "/RuncCommit/ID", "/LiveRestoreEnabled", "/RegistryConfig/IndexConfigs",
                "/RegistryConfig/InsecureRegistryCIDRs", "/RegistryConfig/Mirrors", "/NCPU", "/MemTotal", "/KernelVersion",
                "/OperatingSystem", "/OSType", "/Architecture", "/ServerVersion", "/Name", "/ID")) {
            if (ours.at(field).isMissingNode() || ours.at(field).getNodeType() != docker.at(field).getNodeType()) {
                differences.add(field + ": Docker " + docker.at(field) + ", Tallyman " + ours.at(field));
            }
        }
        // equal where both describe the same thing: this machine, overlay2 on the same disk, runc, the defaults
        for (String field : List.of("/Driver", "/DriverStatus", "/CgroupDriver", "/CgroupVersion", "/LoggingDriver",
                "/DefaultRuntime", "/RuncCommit/ID", "/RegistryConfig/InsecureRegistryCIDRs", "/RegistryConfig/Mirrors",
                "/RegistryConfig/IndexConfigs/docker.io/Secure", "/RegistryConfig/IndexConfigs/docker.io/Official",
                "/NCPU", "/MemTotal", "/KernelVersion", "/OperatingSystem", "/OSType", "/Architecture")) {
            if (!ours.at(field).equals(docker.at(field))) {
                differences.add(field + ": Docker " + docker.at(field) + ", Tallyman " + ours.at(field));
            }
        }
        assertThat(differences).isEmpty();
        // ours, by design: containers outlive the service; the counts are this instance's
        assertThat(ours.at("/LiveRestoreEnabled").asBoolean()).isTrue();
        assertThat(ours.at("/ContainersRunning").asInt()).isEqualTo(1);
        assertThat(ours.at("/ContainersStopped").asInt()).isEqualTo(1);
        assertThat(ours.at("/Images").asInt()).isEqualTo(1);
        ok("rm", "-f", "opr-info-run", "opr-info-idle");
    }
}
