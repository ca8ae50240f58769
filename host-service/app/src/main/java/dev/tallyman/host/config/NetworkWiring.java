package dev.tallyman.host.config;

import dev.tallyman.host.api.NetworkApi;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.ContainerNetworkChoice;
import dev.tallyman.host.commands.networks.ConnectNetworkHandler;
import dev.tallyman.host.commands.networks.ContainerNetworking;
import dev.tallyman.host.commands.networks.CreateNetworkHandler;
import dev.tallyman.host.commands.networks.EmbeddedDnsNames;
import dev.tallyman.host.commands.networks.HostRoutes;
import dev.tallyman.host.commands.networks.NameService;
import dev.tallyman.host.commands.networks.NetworkDrivers;
import dev.tallyman.host.commands.networks.NetworkFinder;
import dev.tallyman.host.commands.networks.PredefinedNetworks;
import dev.tallyman.host.commands.networks.PruneNetworksHandler;
import dev.tallyman.host.commands.networks.RemoveNetworkHandler;
import dev.tallyman.host.commands.networks.SubnetPools;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.reconcile.NetworkReconciler;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.spi.network.NetworkDriver;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The network side of Tallyman, put together in one place: drivers, the networking of containers (hooked into
 * the launcher's teardown), the network commands and routes, and the boot reconciliation of networks.
 */
record NetworkWiring(EngineConfig config, ContainerNetworking networking, ContainerNetworkChoice.Chooser chooser,
                     NetworkApi api, NetworkReconciler reconciler) {

    static NetworkWiring build(EngineConfig config, Journal journal, Projections projections,
                               Map<String, NetworkDriver> loaded, ContainerLauncher launcher, ContainerFinder containers) {
        NetworkDrivers drivers = new NetworkDrivers(loaded);
        NameService names = new EmbeddedDnsNames(projections);
        String hostname = hostHostname();
        ContainerNetworking networking = new ContainerNetworking(journal, drivers, config.execRoot(),
                new ContainerNetworking.HostFiles(Path.of("/etc/resolv.conf"), hostname));
        launcher.onNetworkTeardown(id -> networking.detachAll(id, CommandContext.system("teardown")));
        SubnetPools pools = config.network().defaultAddressPools().map(SubnetPools::parse).orElse(SubnetPools.DEFAULT);
        CreateNetworkHandler create = new CreateNetworkHandler(journal, drivers, pools, HostRoutes::read, names);
        NetworkFinder finder = new NetworkFinder(projections);
        RemoveNetworkHandler remove = new RemoveNetworkHandler(journal, finder, drivers, names);
        NetworkApi api = new NetworkApi(projections, finder, create, remove, new PruneNetworksHandler(projections, remove),
                new ConnectNetworkHandler(journal, finder, containers, networking));
        NetworkReconciler reconciler = new NetworkReconciler(journal, create, networking,
                new PredefinedNetworks(journal, create, drivers));
        return new NetworkWiring(config, networking, new ContainerNetworkChoice.Chooser(projections, hostname), api, reconciler);
    }

    void reconcile() {
        reconciler.run(new PredefinedNetworks.DefaultBridge(config.network().bridgeName(), config.network().bip()));
    }

    private static String hostHostname() {
        try {
            return Files.readString(Path.of("/proc/sys/kernel/hostname")).trim();
        } catch (IOException e) {
            return "localhost";
        }
    }
}
