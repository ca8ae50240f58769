package dev.tallyman.spi.linux;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HexFormat;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Needs root: a test bridge {@code tmt…}, veth {@code tmtv…} and a namespace under a temporary directory,
 * all removed by name afterwards. Covers {@link RouteNetlink} and {@link NetDevices} together, as a join uses them.
 */
class RouteNetlinkTest {
    @TempDir
    Path temp;

    private final String suffix = HexFormat.of().formatHex(new byte[] {(byte) System.nanoTime(), (byte) (System.nanoTime() >> 8)});
    private final String bridge = "tmt" + suffix;
    private final String veth = "tmtv" + suffix;
    private Path namespace;

    @AfterEach
    void cleanUp() throws Exception {
        RouteNetlink.deleteLink(veth);
        RouteNetlink.deleteLink(bridge);
        if (namespace != null) {
            NetworkNamespaces.remove(namespace);
        }
    }

    @Test
    void vethPeerLandsInTheNamespaceAndIsConfiguredThere() throws Exception {
        run("ip", "link", "add", bridge, "type", "bridge");
        namespace = temp.resolve("ns");
        NetworkNamespaces.create(namespace);

        RouteNetlink.addVeth(veth, bridge, "eth0", "02:42:0a:d5:00:02", namespace);
        Inet4Address address = (Inet4Address) InetAddress.getByName("10.213.250.2");
        Inet4Address gateway = (Inet4Address) InetAddress.getByName("10.213.250.1");
        NetworkNamespaces.inside(namespace, () -> {
            NetDevices.setAddress("eth0", address, 24);
            NetDevices.up("eth0");
            NetDevices.addDefaultRoute(gateway);
            NetDevices.addDefaultRoute(gateway); // a repeat is fine
            return null;
        });

        assertThat(Files.readString(Path.of("/sys/class/net", veth, "master", "uevent"))).contains("INTERFACE=" + bridge);
        assertThat(run("ip", "-o", "link", "show", veth)).contains(",UP");
        String link = run("nsenter", "--net=" + namespace, "ip", "-o", "link", "show", "eth0");
        assertThat(link).contains("02:42:0a:d5:00:02");
        assertThat(run("nsenter", "--net=" + namespace, "ip", "-o", "-4", "addr", "show", "eth0")).contains("10.213.250.2/24");
        assertThat(run("nsenter", "--net=" + namespace, "ip", "route", "show", "default")).contains("via 10.213.250.1");
    }

    @Test
    void existingNameIsEexistAndDeletingTwiceIsFine() throws Exception {
        run("ip", "link", "add", bridge, "type", "bridge");
        namespace = temp.resolve("ns");
        NetworkNamespaces.create(namespace);
        RouteNetlink.addVeth(veth, bridge, "eth0", "02:42:0a:d5:00:03", namespace);

        assertThatThrownBy(() -> RouteNetlink.addVeth(veth, bridge, "eth1", "02:42:0a:d5:00:04", namespace))
                .isInstanceOfSatisfying(ErrnoException.class, e -> assertThat(e.errno()).isEqualTo(Errno.EEXIST));
        RouteNetlink.deleteLink(veth);
        RouteNetlink.deleteLink(veth);
        assertThat(Path.of("/sys/class/net", veth)).doesNotExist();
        assertThat(run("nsenter", "--net=" + namespace, "ip", "-o", "link", "show").lines()).hasSize(1);
    }

    private static String run(String... command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(process.waitFor()).as(String.join(" ", command) + ": " + out).isZero();
        return out;
    }
}
