package org.example.macvlan;

import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.testkit.NetworkDriverContract;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;

/**
 * The SPI testkit's network contract, run against this driver through the real kernel (needs root). Opting in
 * is these few lines: make a driver, say it makes interfaces but keeps no firewall, and name the option that
 * takes the parent interface, which the suite then makes for each network it tries.
 */
class MacvlanDriverTest implements NetworkDriverContract {

    @Override
    public NetworkDriver newDriver(Path root) {
        return new MacvlanProvider().create(root, Map.of());
    }

    @Override
    public boolean makesInterfaces() {
        return true;
    }

    @Override
    public boolean firewalls() {
        return false;
    }

    @Override
    public Optional<String> uplinkOption() {
        return Optional.of("parent");
    }
}
