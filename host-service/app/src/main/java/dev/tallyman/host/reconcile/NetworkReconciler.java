package dev.tallyman.host.reconcile;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.networks.ContainerNetworking;
import dev.tallyman.host.commands.networks.CreateNetworkHandler;
import dev.tallyman.host.commands.networks.PredefinedNetworks;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.spi.linux.NetworkNamespaces;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * At boot, after the containers are reconciled: the networks' kernel objects are made again (repeat-safe; a
 * reboot took the bridges away), endpoints of containers that are no longer running are taken apart and their
 * end recorded by the system actor (which frees their addresses and ports), and namespace files nothing owns are
 * removed. Endpoints of running containers are left alone: the kernel kept forwarding while the service was away.
 */
public final class NetworkReconciler {
    private static final Logger LOG = Logger.getLogger(NetworkReconciler.class);

    private final Journal journal;
    private final CreateNetworkHandler create;
    private final ContainerNetworking networking;
    private final PredefinedNetworks predefined;

    public NetworkReconciler(Journal journal, CreateNetworkHandler create, ContainerNetworking networking,
                             PredefinedNetworks predefined) {
        this.journal = journal;
        this.create = create;
        this.networking = networking;
        this.predefined = predefined;
    }

    public void run(PredefinedNetworks.DefaultBridge bridge) {
        predefined.ensure(bridge);
        for (NetworkView network : journal.projections().read(p -> List.copyOf(p.networks().all()))) {
            if (network.predefined()) {
                continue;
            }
            try {
                create.finishAgain(network);
            } catch (RuntimeException e) {
                LOG.errorf("repair network %s (%s): %s", network.name(), network.id(), e.getMessage());
            }
        }
        CommandContext system = CommandContext.system("reconcile");
        for (NetworkView network : journal.projections().read(p -> List.copyOf(p.networks().all()))) {
            for (String containerId : List.copyOf(network.endpoints().keySet())) {
                Optional<ContainerView> container = journal.projections().read(p -> p.containers().byId(containerId));
                if (container.isEmpty() || !container.get().isRunning()) {
                    LOG.infof("release endpoint of container %s on network %s: the container is not running",
                            containerId, network.name());
                    networking.detachAll(containerId, system);
                }
            }
        }
        removeOrphanNamespaces();
    }

    private void removeOrphanNamespaces() {
        Path dir = networking.namespaceOf("x").getParent();
        if (!Files.isDirectory(dir)) {
            return;
        }
        try (Stream<Path> files = Files.list(dir)) {
            for (Path file : files.toList()) {
                String id = file.getFileName().toString();
                boolean running = journal.projections().read(p -> p.containers().byId(id)).map(ContainerView::isRunning).orElse(false);
                if (!running) {
                    try {
                        NetworkNamespaces.remove(file);
                    } catch (IOException | RuntimeException e) {
                        LOG.warnf("remove network namespace %s: %s", file, e.getMessage());
                    }
                }
            }
        } catch (IOException e) {
            LOG.warnf("list network namespaces in %s: %s", dir, e.getMessage());
        }
    }
}
