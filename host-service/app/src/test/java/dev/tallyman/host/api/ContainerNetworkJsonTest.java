package dev.tallyman.host.api;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.audit.event.NetworkEvent.PublishedPort;
import dev.tallyman.host.api.json.ContainerCreateBody;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

class ContainerNetworkJsonTest {

    record Case(String description, Map<String, List<ContainerCreateBody.PortBinding>> bindings, List<PublishedPort> expected) {
        @Override
        public String toString() {
            return description;
        }
    }

    private static ContainerCreateBody.PortBinding bind(String ip, String port) {
        return new ContainerCreateBody.PortBinding(ip, port);
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case("-p 8080:80", Map.of("80/tcp", List.of(bind("", "8080"))),
                        List.of(new PublishedPort("tcp", "", 8080, 80))),
                new Case("-p 127.0.0.1::80 asks for any port on loopback", Map.of("80/tcp", List.of(bind("127.0.0.1", ""))),
                        List.of(new PublishedPort("tcp", "127.0.0.1", 0, 80))),
                new Case("-p 53:53/udp", Map.of("53/udp", List.of(bind("", "53"))),
                        List.of(new PublishedPort("udp", "", 53, 53))),
                new Case("0.0.0.0 means every address", Map.of("80/tcp", List.of(bind("0.0.0.0", "81"))),
                        List.of(new PublishedPort("tcp", "", 81, 80))),
                new Case("no binding at all: any port", Map.of("9000/tcp", List.of()),
                        List.of(new PublishedPort("tcp", "", 0, 9000))),
                new Case("one container port on two host ports", Map.of("80/tcp", List.of(bind("", "8080"), bind("", "8081"))),
                        List.of(new PublishedPort("tcp", "", 8080, 80), new PublishedPort("tcp", "", 8081, 80))));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void portBindingsBecomePublishedPorts(Case c) {
        assertThat(ContainerNetworkJson.portBindingsOf(host(c.bindings()))).isEqualTo(c.expected());
    }

    @Test
    void aBadPortIsNamed() {
        assertThatThrownBy(() -> ContainerNetworkJson.portBindingsOf(host(Map.of("80/tcp", List.of(bind("", "99999"))))))
                .hasMessage("invalid port specification: \"99999\"");
        assertThatThrownBy(() -> ContainerNetworkJson.portBindingsOf(host(Map.of("80/sctp", List.of()))))
                .hasMessage("invalid proto: sctp");
    }

    @Test
    void publishAndExposeFiltersTakePortsProtocolsAndRanges() {
        assertThat(ContainerNetworkJson.portMatches("80", 80, "tcp")).isTrue();
        assertThat(ContainerNetworkJson.portMatches("80/udp", 80, "tcp")).isFalse();
        assertThat(ContainerNetworkJson.portMatches("8000-8100/tcp", 8080, "tcp")).isTrue();
        assertThat(ContainerNetworkJson.portMatches("8000-8100", 8200, "tcp")).isFalse();
    }

    private static ContainerCreateBody.HostConfig host(Map<String, List<ContainerCreateBody.PortBinding>> bindings) {
        ContainerCreateBody.HostConfig empty = ContainerCreateBody.HostConfig.empty();
        return new ContainerCreateBody.HostConfig(empty.networkMode(), false, false, false, List.of(), List.of(), List.of(),
                null, null, 0, 0, 0, 0, 0, 0, "", null, List.of(), Map.of(), null, null, bindings, false, null, null, null, null, null, null);
    }
}
