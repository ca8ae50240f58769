package dev.tallyman.host.commands.networks;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.spi.network.Ipv4Subnet;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import org.jboss.logging.Logger;

/**
 * The networks every engine has: {@code bridge} (the default, on a bridge of Tallyman's own name so it never
 * clashes with a Docker on the same host), {@code host} and {@code none}. Recorded once, by the system actor, at
 * the first boot; at every boot the driver is asked to make them again, which repairs what a reboot took away.
 */
public final class PredefinedNetworks {
    private static final Logger LOG = Logger.getLogger(PredefinedNetworks.class);

    /**
     * @param bridgeName the default bridge's interface name
     * @param bip the default bridge's subnet with the gateway's address ({@code --bip}, e.g. 172.30.0.1/16), or empty
     *            for one from the pools
     */
    public record DefaultBridge(String bridgeName, Optional<String> bip) {
    }

    private final Journal journal;
    private final CreateNetworkHandler create;
    private final NetworkDrivers drivers;

    public PredefinedNetworks(Journal journal, CreateNetworkHandler create, NetworkDrivers drivers) {
        this.journal = journal;
        this.create = create;
        this.drivers = drivers;
    }

    public void ensure(DefaultBridge bridge) {
        CommandContext system = CommandContext.system("networks");
        if (drivers.find("bridge").isPresent()) {
            ensure("bridge", () -> {
                Map<String, String> options = new LinkedHashMap<>();
                options.put("com.docker.network.bridge.default_bridge", "true");
                options.put("com.docker.network.bridge.enable_icc", "true");
                options.put("com.docker.network.bridge.enable_ip_masquerade", "true");
                options.put("com.docker.network.bridge.host_binding_ipv4", "0.0.0.0");
                options.put("com.docker.network.bridge.name", bridge.bridgeName());
                options.put("com.docker.network.driver.mtu", "1500");
                Optional<String> subnet = bridge.bip().map(b -> Ipv4Subnet.parse(b).toString());
                Optional<String> gateway = bridge.bip().map(b -> b.substring(0, b.indexOf('/')));
                return new CreateNetwork("bridge", "bridge", subnet, gateway, Optional.empty(), false, Map.of(), options);
            }, system);
        } else {
            LOG.warnf("network driver bridge is not loaded: no default bridge network");
        }
        ensure("host", () -> new CreateNetwork("host", "host", Optional.empty(), Optional.empty(), Optional.empty(),
                false, Map.of(), Map.of()), system);
        ensure("none", () -> new CreateNetwork("none", "null", Optional.empty(), Optional.empty(), Optional.empty(),
                false, Map.of(), Map.of()), system);
    }

    private void ensure(String name, java.util.function.Supplier<CreateNetwork> command, CommandContext context) {
        Optional<NetworkView> existing = journal.projections().read(p -> p.networks().byName(name));
        if (existing.isPresent()) {
            // Repeat-safe: repairs a bridge a reboot (or ops/tallyman down) took away.
            create.finishAgain(existing.get(), CommandContext.system("reconcile"));
            return;
        }
        String id = create.handle(command.get(), context);
        create.finish(id, context);
    }
}
