package org.example.macvlan;

import dev.tallyman.spi.SpiVersion;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkDriverProvider;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/** Registers the macvlan driver (listed in META-INF/services/dev.tallyman.spi.network.NetworkDriverProvider). */
public final class MacvlanProvider implements NetworkDriverProvider {

    @Override
    public String spiVersion() {
        // A compile-time constant: the text of the SPI this jar was built against ends up in this class file.
        return SpiVersion.CURRENT;
    }

    @Override
    public String name() {
        return MacvlanDriver.NAME;
    }

    /** The driver runs the ip program: a host without it cannot run the driver. */
    @Override
    public Optional<String> probe() {
        return Ip.find("ip").isEmpty() ? Optional.of("the ip program (iproute2) is not on PATH") : Optional.empty();
    }

    /** Option {@code ip}: the ip program to run (default {@code ip} on PATH). */
    @Override
    public NetworkDriver create(Path root, Map<String, String> options) {
        return new MacvlanDriver(new Ip(options.getOrDefault("ip", "ip")));
    }
}
