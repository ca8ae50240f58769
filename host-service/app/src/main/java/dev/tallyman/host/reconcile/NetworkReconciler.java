package dev.tallyman.host.reconcile;

import dev.tallyman.audit.event.NetworkEvent;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;

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
    private static final String INTERRUPTED = "interrupted: tallyman stopped before the outcome was recorded";
    // A crash leaves open only the newest intents of a stream; a network's stream grows with every run.
    private static final int TAIL = 1000;

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
                create.finishAgain(network, closingOf(network, CommandContext.system("reconcile")));
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
                    try {
                        networking.detachAll(containerId, system);
                    } catch (RuntimeException e) {
                        LOG.errorf("release endpoint of container %s on network %s: %s", containerId, network.name(),
                                e.getMessage());
                    }
                }
            }
        }
        removeOrphanNamespaces();
        closeWhatIsStillOpen(system);
    }

    /** The create request's story to close an interrupted create in, or the reconciler's own. */
    private CommandContext closingOf(NetworkView network, CommandContext system) {
        List<OpenIntents.Open> open = OpenIntents.in(journal.store().readStreamTail(StreamId.network(network.id()), TAIL));
        return open.stream().filter(o -> o.intent() instanceof NetworkEvent.NetworkCreateRequested).findFirst()
                .map(o -> new CommandContext(system.actor(), o.correlationId())).orElse(system);
    }

    /**
     * Every network intent that the steps above did not close (a removal, a connect or disconnect cut short) is
     * closed as interrupted under its request's correlation id, so no request stays open on the record. The
     * kernel side was settled above: the network's objects repaired, the endpoints of stopped containers undone.
     */
    private void closeWhatIsStillOpen(CommandContext system) {
        for (NetworkView network : journal.projections().read(p -> List.copyOf(p.networks().all()))) {
            StreamId stream = StreamId.network(network.id());
            for (OpenIntents.Open open : OpenIntents.in(journal.store().readStreamTail(stream, TAIL))) {
                try {
                    journal.append(stream, ExpectedVersion.any(), open.intent().interrupted(INTERRUPTED),
                            new CommandContext(system.actor(), open.correlationId()));
                } catch (RuntimeException e) {
                    LOG.errorf("close open intent on network %s: %s", network.name(), e.getMessage());
                }
            }
        }
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
