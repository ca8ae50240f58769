package dev.tallyman.host.commands.networks;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.network.Ipv4Subnet;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class NetworkAddressingTest {

    record PoolCase(String description, String pools, List<String> inUse, String expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<PoolCase> poolCases() {
        return Stream.of(
                new PoolCase("first subnet when nothing is in use", "172.17.0.0/16:16,192.168.0.0/16:20", List.of(), "172.17.0.0/16"),
                new PoolCase("a host route inside the first subnet skips it", "172.17.0.0/12:16",
                        List.of("172.16.5.0/24"), "172.17.0.0/16"),
                new PoolCase("our own networks are skipped", "172.17.0.0/12:16",
                        List.of("172.16.0.0/16", "172.17.0.0/16"), "172.18.0.0/16"),
                new PoolCase("a route covering a whole pool moves to the next pool", "172.16.0.0/12:16,192.168.0.0/16:20",
                        List.of("172.16.0.0/12"), "192.168.0.0/20"),
                new PoolCase("nothing left", "10.9.0.0/24:24", List.of("10.9.0.0/16"), ""));
    }

    @ParameterizedTest
    @MethodSource("poolCases")
    void poolsGiveTheFirstSubnetThatOverlapsNothing(PoolCase c) {
        Optional<Ipv4Subnet> chosen = SubnetPools.parse(c.pools())
                .firstFree(c.inUse().stream().map(Ipv4Subnet::parse).toList());
        assertThat(chosen.map(Ipv4Subnet::toString).orElse("")).isEqualTo(c.expected());
    }

    @Test
    void aBadPoolIsNamed() {
        assertThatThrownBy(() -> SubnetPools.parse("172.17.0.0/16")).hasMessageContaining("172.17.0.0/16");
        assertThatThrownBy(() -> SubnetPools.parse("172.17.0.0/16:8")).hasMessageContaining("172.17.0.0/16:8");
    }

    @Test
    void routesAreReadFromTheKernelsLittleEndianTable() {
        String table = """
                Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT
                eth0\t00000000\t0100A8C0\t0003\t0\t0\t0\t00000000\t0\t0\t0
                eth0\t0000A8C0\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0
                docker0\t000011AC\t00000000\t0001\t0\t0\t0\t0000FFFF\t0\t0\t0
                """;
        assertThat(HostRoutes.parse(table).stream().map(Ipv4Subnet::toString))
                .containsExactly("192.168.0.0/24", "172.17.0.0/16");
    }

    record AddressCase(String description, String subnet, String range, String gateway, Set<String> taken, String expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<AddressCase> addressCases() {
        return Stream.of(
                new AddressCase("first host after the gateway", "172.18.0.0/16", "", "172.18.0.1", Set.of(), "172.18.0.2"),
                new AddressCase("taken ones are skipped", "172.18.0.0/16", "", "172.18.0.1",
                        Set.of("172.18.0.2", "172.18.0.3"), "172.18.0.4"),
                new AddressCase("a gateway elsewhere frees .1", "10.1.0.0/24", "", "10.1.0.254", Set.of(), "10.1.0.1"),
                new AddressCase("from the ip-range", "10.2.0.0/16", "10.2.5.0/24", "10.2.0.1", Set.of(), "10.2.5.0"),
                new AddressCase("never the broadcast", "10.3.0.0/30", "", "10.3.0.1", Set.of("10.3.0.2"), ""));
    }

    @ParameterizedTest
    @MethodSource("addressCases")
    void addressesAreTheLowestFreeOnes(AddressCase c) {
        Ipv4Subnet subnet = Ipv4Subnet.parse(c.subnet());
        Optional<Ipv4Subnet> range = c.range().isEmpty() ? Optional.empty() : Optional.of(Ipv4Subnet.parse(c.range()));
        Set<Integer> taken = new java.util.HashSet<>();
        c.taken().forEach(t -> taken.add(Ipv4Subnet.toInt(Ipv4Subnet.parseAddress(t))));
        assertThat(AddressAllocator.next(subnet, range, Ipv4Subnet.parseAddress(c.gateway()), taken)
                .map(a -> a.getHostAddress()).orElse("")).isEqualTo(c.expected());
    }

    @Test
    void macIsDockersFromTheAddress() {
        assertThat(AddressAllocator.macOf(Ipv4Subnet.parseAddress("172.17.0.2"))).isEqualTo("02:42:ac:11:00:02");
    }
}
