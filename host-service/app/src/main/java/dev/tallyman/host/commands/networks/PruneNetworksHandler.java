package dev.tallyman.host.commands.networks;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/**
 * docker network prune: removes every user network that no container uses (no endpoint, no member), among
 * those the filters select; each removal is on the record like a docker network rm.
 */
public final class PruneNetworksHandler {
    private final Projections projections;
    private final RemoveNetworkHandler remove;

    public PruneNetworksHandler(Projections projections, RemoveNetworkHandler remove) {
        this.projections = projections;
        this.remove = remove;
    }

    /** @return the names of the networks removed */
    public List<String> handle(Predicate<NetworkView> selected, CommandContext context) {
        List<NetworkView> unused = projections.read(p -> p.networks().all().stream()
                .filter(n -> !n.predefined() && n.endpoints().isEmpty() && n.members().isEmpty())
                .filter(selected)
                .toList());
        List<String> removed = new ArrayList<>();
        for (NetworkView n : unused) {
            try {
                remove.handle(n.id(), context);
                removed.add(n.name());
            } catch (EngineException e) {
                // In use again meanwhile, or gone: prune leaves it, as Docker does.
            }
        }
        return removed;
    }
}
