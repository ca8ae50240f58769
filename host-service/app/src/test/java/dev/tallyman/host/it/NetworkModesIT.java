package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 through the real CLI: --network host, none and container:, and 50 parallel runs on the default
 * bridge, each with its own address.
 */
class NetworkModesIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "net-modes";
    }

    @Test
    void theHostNetworkShowsTheHostsHostnameAndInterfaces() throws Exception {
        String hostname = java.nio.file.Files.readString(java.nio.file.Path.of("/proc/sys/kernel/hostname")).trim();
        String out = ok("run", "--rm", "--network", "host", "busybox", "sh", "-c", "hostname; ip -o link show " + tallyman.bridgeName());
        assertThat(out.lines().findFirst().orElseThrow()).isEqualTo(hostname);
        assertThat(out).contains(tallyman.bridgeName());
        // Published ports are discarded on the host network, as Docker does.
        String id = ok("run", "-d", "--network", "host", "-p", "18281:80", "busybox", "sleep", "60").trim();
        assertThat(ok("port", id)).isBlank();
        assertThat(inspect("{{.HostConfig.NetworkMode}} {{.NetworkSettings.Networks.host.NetworkID}}", id))
                .startsWith("host ").isNotEqualTo("host ");
        ok("rm", "-f", id);
    }

    @Test
    void noneHasOnlyLoopbackAndContainerModeSharesTheOthersNamespace() {
        String links = ok("run", "--rm", "--network", "none", "busybox", "sh", "-c", "ip -o link | cut -d: -f2");
        assertThat(links.lines().map(String::trim).toList()).containsExactly("lo");

        String target = ok("run", "-d", "--name", "target", "busybox", "sleep", "120").trim();
        String address = inspect("{{.NetworkSettings.IPAddress}}", target);
        String shared = ok("run", "--rm", "--network", "container:target", "busybox", "sh", "-c",
                "ip -4 -o addr show eth0 | awk '{print $4}'");
        assertThat(shared.trim()).startsWith(address + "/");
        CommandResult conflict = exits(125, "run", "--rm", "--network", "container:target", "-p", "18282:80", "busybox", "true");
        assertThat(conflict.stderr()).contains("conflicting options: port publishing and the container type network mode");
        ok("rm", "-f", "target");
    }

    @Test
    void fiftyParallelRunsGetFiftyAddresses() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(10);
        List<Future<CommandResult>> runs = new ArrayList<>();
        try {
            for (int i = 0; i < 50; i++) {
                String name = "par" + i;
                runs.add(pool.submit(() -> tallyman.docker("run", "-d", "--name", name, "busybox", "sleep", "120")));
            }
            for (Future<CommandResult> run : runs) {
                assertThat(run.get().exitCode()).as(run.get().toString()).isZero();
            }
        } finally {
            pool.shutdown();
        }
        List<String> ids = ok("ps", "-q", "--filter", "name=par").lines().toList();
        assertThat(ids).hasSize(50);
        List<String> args = new ArrayList<>(List.of("inspect", "--format", "{{.NetworkSettings.IPAddress}} {{.NetworkSettings.MacAddress}}"));
        args.addAll(ids);
        List<String> addresses = ok(args.toArray(String[]::new)).lines().toList();
        Set<String> unique = new HashSet<>(addresses);
        assertThat(unique).hasSize(50);
        assertThat(addresses).allMatch(a -> !a.isBlank() && a.contains("02:42:"));
        List<String> rm = new ArrayList<>(List.of("rm", "-f"));
        rm.addAll(ids);
        ok(rm.toArray(String[]::new));
        assertThat(ok("network", "inspect", "--format", "{{len .Containers}}", "bridge").trim()).isEqualTo("0");
        assertThat(tallyman.execRoot.resolve("netns").toFile().list()).isEmpty();
        assertThat(Shell.run("ip", "-o", "link", "show", "master", tallyman.bridgeName()).stdout()).isBlank();
    }
}
