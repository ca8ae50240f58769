package org.example.macvlan;

import dev.tallyman.spi.network.Endpoint;
import dev.tallyman.spi.network.NetworkDriver;
import dev.tallyman.spi.network.NetworkSpec;
import dev.tallyman.spi.testkit.NetworkDriverContract;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Stream;

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

    /** The driver leaves nothing on the host: no temporary mvl… interface a join made and failed to move. */
    @Override
    public List<String> leftovers(NetworkDriver driver, List<NetworkSpec> networks, List<Endpoint> endpoints)
            throws Exception {
        try (Stream<Path> links = Files.list(Path.of("/sys/class/net"))) {
            return links.map(p -> p.getFileName().toString()).filter(n -> n.startsWith("mvl")).toList();
        }
    }
}
