package dev.tallyman.host.commands.networks;

import dev.tallyman.audit.event.NetworkEvent.NetworkRemoveFailed;
import dev.tallyman.audit.event.NetworkEvent.NetworkRemoveRequested;
import dev.tallyman.audit.event.NetworkEvent.NetworkRemoved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.spi.DriverException;

/**
 * docker network rm: refused for the predefined networks and while endpoints are active (Docker's 403s);
 * otherwise records the intent, has the driver remove the kernel objects, records the outcome.
 */
public final class RemoveNetworkHandler {
    private final Journal journal;
    private final NetworkFinder finder;
    private final NetworkDrivers drivers;
    private final NameService names;

    public RemoveNetworkHandler(Journal journal, NetworkFinder finder, NetworkDrivers drivers, NameService names) {
        this.journal = journal;
        this.finder = finder;
        this.drivers = drivers;
        this.names = names;
    }

    public void handle(String reference, CommandContext context) {
        NetworkView network = journal.atomically(() -> {
            NetworkView view = finder.require(reference);
            if (view.predefined()) {
                throw EngineException.forbidden(view.name() + " is a pre-defined network and cannot be removed");
            }
            if (!view.endpoints().isEmpty()) {
                throw EngineException.forbidden("error while removing network: network " + view.name() + " id "
                        + view.id() + " has active endpoints");
            }
            if (!view.pendingIntent().isEmpty()) {
                throw EngineException.conflict("network " + view.name() + " is busy with another command");
            }
            journal.append(StreamId.network(view.id()), ExpectedVersion.exactly(view.version()),
                    new NetworkRemoveRequested(view.id()), context);
            return view;
        });
        names.networkDown(network);
        try {
            drivers.require(network.driver()).removeNetwork(NetworkDrivers.specOf(network));
        } catch (DriverException | IllegalStateException e) {
            journal.append(StreamId.network(network.id()), ExpectedVersion.any(),
                    new NetworkRemoveFailed(network.id(), e.getMessage()), context);
            names.networkUp(network);
            throw EngineException.system("remove network " + reference + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.network(network.id()), ExpectedVersion.any(), new NetworkRemoved(network.id()), context);
    }
}
