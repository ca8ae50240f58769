package dev.tallyman.host.it;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * Issue 7 through the real CLI on the default bridge: addresses, Docker's inspect and ps, HTTP through published
 * ports from the host (127.0.0.1 and the host's address) and from another container, -P, docker port, and a
 * taken port refused with Docker's words, leaving nothing behind.
 */
class PublishedPortsIT extends ContainerItSupport {

    @Override
    protected String instanceName() {
        return "net-ports";
    }

    /** The host's first global IPv4 address that is not one of our bridges. */
    private static String hostAddress() {
        return Shell.run("sh", "-c", "ip -4 -o addr show scope global | grep -v ' tm' | awk '{print $4}' | cut -d/ -f1 | head -1")
                .stdout().trim();
    }

    private static String curl(String url) {
        CommandResult r = Shell.run("curl", "-s", "-m", "5", url);
        return r.exitCode() == 0 ? r.stdout() : "curl exit " + r.exitCode();
    }

    /** Busybox httpd answering /name with the given text. */
    private String web(String name, String... publish) {
        List<String> args = new java.util.ArrayList<>(List.of("run", "-d", "--name", name));
        args.addAll(List.of(publish));
        args.addAll(List.of("busybox", "sh", "-c", "mkdir /www && echo " + name + " > /www/name && httpd -f -p 80 -h /www"));
        return ok(args.toArray(String[]::new)).trim();
    }

    @Test
    void aContainerOnTheDefaultBridgeGetsDockersAddressingAndFiles() {
        String subnet = ok("network", "inspect", "--format", "{{range .IPAM.Config}}{{.Subnet}} {{.Gateway}}{{end}}", "bridge").trim();
        String out = ok("run", "--rm", "--name", "addr", "busybox", "sh", "-c",
                "ip -4 -o addr show eth0 | awk '{print $4}'; ip route | grep default; cat /etc/hosts | tail -1; cat /etc/hostname");
        String gateway = subnet.split(" ")[1];
        assertThat(out).contains("default via " + gateway + " dev eth0");
        String address = out.lines().findFirst().orElseThrow();
        assertThat(address).endsWith("/" + subnet.split(" ")[0].split("/")[1]);
        String ip = address.substring(0, address.indexOf('/'));
        assertThat(out).contains(ip + "\t");

        String id = ok("run", "-d", "--name", "inspected", "busybox", "sleep", "60").trim();
        String line = inspect("{{.NetworkSettings.IPAddress}} {{.NetworkSettings.Gateway}} {{.NetworkSettings.IPPrefixLen}} "
                + "{{.NetworkSettings.MacAddress}} {{.NetworkSettings.Networks.bridge.IPAddress}} {{.HostConfig.NetworkMode}}", id);
        String[] f = line.split(" ");
        assertThat(f[1]).isEqualTo(gateway);
        assertThat(f[4]).isEqualTo(f[0]);
        assertThat(f[5]).isEqualTo("bridge");
        String[] octets = f[0].split("\\.");
        assertThat(f[3]).isEqualTo(String.format("02:42:%02x:%02x:%02x:%02x", Integer.parseInt(octets[0]),
                Integer.parseInt(octets[1]), Integer.parseInt(octets[2]), Integer.parseInt(octets[3])));
        assertThat(inspect("{{.NetworkSettings.SandboxKey}}", id)).isEqualTo(tallyman.execRoot.resolve("netns").resolve(id).toString());
        assertThat(ok("network", "inspect", "--format", "{{range $k, $v := .Containers}}{{$v.Name}} {{$v.IPv4Address}}{{end}}", "bridge").trim())
                .isEqualTo("inspected " + f[0] + "/" + f[2]);
        ok("rm", "-f", id);
    }

    @Test
    void publishedPortsAnswerFromTheHostAndFromOtherContainers() {
        String id = web("web", "-p", "18181:80", "-p", "127.0.0.1::80");
        String loopbackPort = eventually(Duration.ofSeconds(5), () -> ok("port", "web", "80/tcp"), s -> s.contains("127.0.0.1:"))
                .lines().filter(l -> l.contains("127.0.0.1:")).findFirst().orElseThrow().replaceAll(".*127\\.0\\.0\\.1:", "").trim();
        assertThat(ok("port", "web")).contains("80/tcp -> 0.0.0.0:18181").contains("80/tcp -> 127.0.0.1:" + loopbackPort);
        assertThat(Integer.parseInt(loopbackPort)).isBetween(1024, 65535);
        assertThat(ok("ps", "--format", "{{.Names}} {{.Ports}}", "--filter", "name=web"))
                .contains("0.0.0.0:18181->80/tcp").contains("127.0.0.1:" + loopbackPort + "->80/tcp");

        assertThat(eventually(Duration.ofSeconds(5), () -> curl("http://127.0.0.1:18181/name"), "web\n"::equals)).isEqualTo("web\n");
        assertThat(curl("http://" + hostAddress() + ":18181/name")).isEqualTo("web\n");
        assertThat(curl("http://127.0.0.1:" + loopbackPort + "/name")).isEqualTo("web\n");
        // Published on 127.0.0.1 only: the host's other address does not answer on that port.
        assertThat(curl("http://" + hostAddress() + ":" + loopbackPort + "/name")).startsWith("curl exit");

        String address = inspect("{{.NetworkSettings.IPAddress}}", id);
        assertThat(ok("run", "--rm", "busybox", "wget", "-qO-", "http://" + address + "/name")).isEqualTo("web\n");
        assertThat(ok("run", "--rm", "busybox", "wget", "-qO-", "http://" + hostAddress() + ":18181/name")).isEqualTo("web\n");
        assertThat(ok("ps", "-q", "--filter", "publish=80")).contains(id.substring(0, 12));
        assertThat(ok("ps", "-q", "--filter", "publish=81")).isBlank();
        ok("rm", "-f", "web");
        assertThat(curl("http://127.0.0.1:18181/name")).startsWith("curl exit");
    }

    @Test
    void publishAllPublishesTheExposedPortsOnFreeHostPorts() {
        String id = ok("run", "-d", "--name", "all", "--expose", "80", "--expose", "8080/tcp", "-P", "busybox",
                "sh", "-c", "mkdir /www && echo all > /www/name && httpd -f -p 80 -h /www").trim();
        String ports = ok("port", "all");
        assertThat(ports.lines()).hasSize(2);
        assertThat(ports).contains("80/tcp -> 0.0.0.0:").contains("8080/tcp -> 0.0.0.0:");
        String hostPort = ok("port", "all", "80").trim().replaceAll(".*:", "");
        assertThat(eventually(Duration.ofSeconds(5), () -> curl("http://127.0.0.1:" + hostPort + "/name"), "all\n"::equals)).isEqualTo("all\n");
        assertThat(ok("ps", "-q", "--filter", "expose=8080")).contains(id.substring(0, 12));
        assertThat(inspect("{{json .Config.ExposedPorts}}", id)).isEqualTo("{\"80/tcp\":{},\"8080/tcp\":{}}");
        ok("rm", "-f", "all");
    }

    @Test
    void aTakenPortIsRefusedWithDockersWordsAndLeavesNothing() {
        web("holder", "-p", "18182:80");
        List<String> vethsBefore = veths();
        CommandResult refused = exits(125, "run", "-d", "--name", "second", "-p", "18182:80", "busybox", "sleep", "60");
        assertThat(refused.stderr()).contains("driver failed programming external connectivity on endpoint second (")
                .contains("Bind for 0.0.0.0:18182 failed: port is already allocated");
        assertThat(inspect("{{.State.Status}}", "second")).isIn("created", "exited");
        assertThat(veths()).isEqualTo(vethsBefore);
        String secondId = inspect("{{.Id}}", "second");
        assertThat(tallyman.execRoot.resolve("netns").resolve(secondId)).doesNotExist();
        assertThat(ok("port", "holder")).contains("18182");
        ok("rm", "-f", "holder", "second");

        // A host process listening on the port: the driver's refusal, in Docker's words.
        try (java.net.ServerSocket held = new java.net.ServerSocket(18183)) {
            CommandResult inUse = exits(125, "run", "-d", "--name", "third", "-p", "18183:80", "busybox", "sleep", "60");
            assertThat(inUse.stderr()).contains("driver failed programming external connectivity on endpoint third (")
                    .contains("address already in use");
            assertThat(veths()).isEmpty();
        } catch (java.io.IOException e) {
            throw new AssertionError(e);
        }
        ok("rm", "-f", "third");
    }

    /** The host ends of the veth pairs on this instance's default bridge. */
    private List<String> veths() {
        return Shell.run("ip", "-o", "link", "show", "master", tallyman.bridgeName()).stdout().lines()
                .map(l -> l.split(":\\s+")[1].replaceAll("@.*", "")).sorted().toList();
    }
}
