package dev.tallyman.network.bridge;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.Drivers;
import java.util.Map;
import org.junit.jupiter.api.Test;

class BridgeProviderTest {

    @Test
    void serviceLoaderFindsTheDriver() {
        assertThat(Drivers.network(getClass().getClassLoader(), "bridge")).isPresent();
    }

    @Test
    void thisHostCanRunIt() {
        assertThat(new BridgeProvider().probe()).isEmpty();
    }

    @Test
    void optionsNameTheTable() {
        assertThat(BridgeConfig.fromOptions(Map.of("nft-table", "tallyman_x")).nftTable()).isEqualTo("tallyman_x");
        assertThat(BridgeConfig.fromOptions(Map.of()).nftTable()).isEqualTo("tallyman");
    }

    @Test
    void macFollowsTheAddressAsDockersDoes() {
        assertThat(BridgeDriver.macOf(dev.tallyman.spi.network.Ipv4Subnet.parseAddress("172.17.0.2")))
                .isEqualTo("02:42:ac:11:00:02");
    }
}
