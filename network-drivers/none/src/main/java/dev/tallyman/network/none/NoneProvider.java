package dev.tallyman.network.none;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers {@link NoneDriver} under Docker's name for it, {@code null} (the network itself is called {@code none}). */
public final class NoneProvider implements NetworkDriverProvider {

    @Override
    public String spiVersion() {
        return dev.tallyman.spi.SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return "null";
    }

    @Override
    public Optional<String> probe() {
        return Optional.empty();
    }

    @Override
    public NetworkDriver create(Path root, Map<String, String> options) {
        return new NoneDriver();
    }
}
