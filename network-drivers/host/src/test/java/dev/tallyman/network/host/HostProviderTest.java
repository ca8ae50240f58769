package dev.tallyman.network.host;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class HostProviderTest {

    @Test
    void serviceLoaderFindsTheDriver() {
        assertThat(Drivers.network(getClass().getClassLoader(), "host")).isPresent();
    }

    @Test
    void joiningSharesTheHostNamespace() {
        var driver = new HostProvider().create(Path.of("/nonexistent"), Map.of());
        var network = NetworkSpec.plain("h1", "host");
        assertThat(driver.join(network, Endpoint.bare("c1")).mode()).isEqualTo(Attachment.Mode.HOST);
    }
}
