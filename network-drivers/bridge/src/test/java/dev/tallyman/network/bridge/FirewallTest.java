package dev.tallyman.network.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.linux.NftElements;
import dev.tallyman.spi.network.Ipv4Subnet;
import dev.tallyman.spi.network.PortMapping;
import java.util.HexFormat;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class FirewallTest {
    record Case(String description, PortMapping port, String map, String key) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Case> ports() {
        return Stream.of(
                new Case("every address, tcp", new PortMapping(PortMapping.Protocol.TCP, "", 8080, 80), "tcp_any", "1f90"),
                new Case("0.0.0.0 is every address", new PortMapping(PortMapping.Protocol.TCP, "0.0.0.0", 8080, 80),
                        "tcp_any", "1f90"),
                new Case("one address, udp", new PortMapping(PortMapping.Protocol.UDP, "127.0.0.1", 53, 5353), "udp_addr",
                        "7f0000010035" + "0000"));
    }

    @ParameterizedTest
    @MethodSource("ports")
    void portsGoToTheirMapWithKeysInTheMapsLayout(Case c) {
        NftElements.Change add = Firewall.addPortElement(c.port(), Ipv4Subnet.parseAddress("172.18.0.2"), "n c");

        assertThat(add.set()).isEqualTo(c.map());
        assertThat(HexFormat.of().formatHex(add.key())).isEqualTo(c.key());
        String port = String.format("%04x", c.port().containerPort());
        assertThat(HexFormat.of().formatHex(add.data())).isEqualTo("ac120002" + port + "0000");
    }

    @ParameterizedTest
    @MethodSource("ports")
    void removalAddsTheSameElementFirstSoAbsenceIsNoFailure(Case c) {
        List<NftElements.Change> changes = Firewall.removePortElements(c.port(), Ipv4Subnet.parseAddress("172.18.0.2"));

        assertThat(changes).extracting(NftElements.Change::add).containsExactly(true, false);
        assertThat(changes.get(0).key()).isEqualTo(changes.get(1).key());
    }

    @org.junit.jupiter.api.Test
    void portsOnIpv6HostAddressesAreNotForwardedByTheIpv4Table() {
        assertThat(Firewall.isIpv4(new PortMapping(PortMapping.Protocol.TCP, "::", 80, 80))).isFalse();
    }
}
