package dev.tallyman.network.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.List;
import org.junit.jupiter.api.Test;

class NamespaceViewTest {
    private static final List<String> DEV = List.of(
            "Inter-|   Receive                                                |  Transmit",
            " face |bytes    packets errs drop fifo frame compressed multicast|bytes    packets errs drop fifo colls carrier compressed",
            "    lo:       0       0    0    0    0     0          0         0        0       0    0    0    0     0       0          0",
            "  eth0:    1312      16    0    0    0     0          0         0      796      10    0    0    0     0       0          0");

    private static final String HEADER = "Iface\tDestination\tGateway \tFlags\tRefCnt\tUse\tMetric\tMask\t\tMTU\tWindow\tIRTT";

    @Test
    void interfacesAreFoundByTheirWholeName() {
        assertThat(NamespaceView.hasInterface(DEV, "eth0")).isTrue();
        assertThat(NamespaceView.hasInterface(DEV, "eth1")).isFalse();
        assertThat(NamespaceView.hasInterface(DEV, "eth")).isFalse();
    }

    @Test
    void defaultRouteIsDestinationAndMaskZero() {
        List<String> withDefault = List.of(HEADER,
                "eth0\t00000000\t0100D50A\t0003\t0\t0\t0\t00000000\t0\t0\t0",
                "eth0\t0000D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0");
        List<String> withoutDefault = List.of(HEADER, "eth0\t0000D50A\t00000000\t0001\t0\t0\t0\t00FFFFFF\t0\t0\t0");

        assertThat(NamespaceView.hasDefaultRoute(withDefault)).isTrue();
        assertThat(NamespaceView.hasDefaultRoute(withoutDefault)).isFalse();
        assertThat(NamespaceView.hasDefaultRoute(List.of(HEADER))).isFalse();
    }
}
