package dev.tallyman.network.none;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.network.Attachment;
import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkSpec;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class NoneProviderTest {

    @Test
    void serviceLoaderFindsTheDriverUnderDockersName() {
        assertThat(Drivers.network(getClass().getClassLoader(), "null")).isPresent();
    }

    @Test
    void joiningGivesAFreshNamespaceWithLoopbackOnly() {
        var driver = new NoneProvider().create(Path.of("/nonexistent"), Map.of());
        var network = NetworkSpec.plain("n1", "none");
        Attachment attachment = driver.join(network, Endpoint.bare("c1"));
        assertThat(attachment.mode()).isEqualTo(Attachment.Mode.NEW);
        assertThat(attachment.namespacePath()).isEmpty();
    }
}
