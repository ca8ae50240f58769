package dev.tallyman.host.commands.networks;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.NetworkView;
import dev.tallyman.host.projections.Projections;
import java.util.Optional;

/** Resolves a network as the user named it (name, id, id prefix), with Docker's wording when there is none. */
public final class NetworkFinder {
    private final Projections projections;

    public NetworkFinder(Projections projections) {
        this.projections = projections;
    }

    public Optional<NetworkView> find(String reference) {
        return projections.read(p -> p.networks().find(reference));
    }

    public NetworkView require(String reference) {
        return find(reference).orElseThrow(() -> notFound(reference));
    }

    public static EngineException notFound(String reference) {
        return EngineException.notFound("network " + reference + " not found");
    }
}
