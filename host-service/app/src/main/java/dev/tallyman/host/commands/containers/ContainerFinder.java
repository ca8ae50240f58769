package dev.tallyman.host.commands.containers;

import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.AmbiguousReferenceException;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;

/** Finds the container a user named, or answers with Docker's 404 or 400. */
public final class ContainerFinder {
    private final Projections projections;

    public ContainerFinder(Projections projections) {
        this.projections = projections;
    }

    public ContainerView require(String reference) {
        try {
            return projections.read(p -> p.containers().find(reference))
                    .orElseThrow(() -> EngineException.noSuchContainer(reference));
        } catch (AmbiguousReferenceException e) {
            throw EngineException.invalid(e.getMessage());
        }
    }

    /** The current view of a container known by id, if it still exists. */
    public java.util.Optional<ContainerView> byId(String id) {
        return projections.read(p -> p.containers().byId(id));
    }
}
