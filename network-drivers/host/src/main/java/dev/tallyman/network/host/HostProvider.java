package dev.tallyman.network.host;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers {@link HostDriver} as {@code host}. */
public final class HostProvider implements NetworkDriverProvider {

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return "host";
    }

    @Override
    public Optional<String> probe() {
        return Optional.empty();
    }

    @Override
    public NetworkDriver create(Path root, Map<String, String> options) {
        return new HostDriver();
    }
}
