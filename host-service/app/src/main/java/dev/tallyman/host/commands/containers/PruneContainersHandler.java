package dev.tallyman.host.commands.containers;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;

/** docker container prune: removes every stopped container the filters select, each removal on the record. */
public final class PruneContainersHandler {

    /** What prune removed and how many bytes of writable layers it gave back. */
    public record Pruned(List<String> ids, long spaceReclaimed) {
    }

    private final Projections projections;
    private final RemoveContainerHandler remove;
    private final StorageDriver storage;

    public PruneContainersHandler(Projections projections, RemoveContainerHandler remove, StorageDriver storage) {
        this.projections = projections;
        this.remove = remove;
        this.storage = storage;
    }

    /** @param selected the until/label filters, already parsed */
    public Pruned handle(Predicate<ContainerView> selected, CommandContext context) {
        List<ContainerView> stopped = projections.read(p -> p.containers().all().stream()
                .filter(c -> c.state() == ContainerState.EXITED || c.state() == ContainerState.CREATED || c.state() == ContainerState.DEAD)
                .filter(selected)
                .toList());
        List<String> removed = new ArrayList<>();
        long reclaimed = 0;
        for (ContainerView c : stopped) {
            long size = storage.inspect(LayerId.of(c.id())).map(i -> i.sizeBytes()).orElse(0L);
            try {
                remove.handle(c.id(), false, context);
                removed.add(c.id());
                reclaimed += size;
            } catch (EngineException e) {
                // Started again meanwhile, or already gone: prune leaves it alone, as Docker does.
            }
        }
        return new Pruned(removed, reclaimed);
    }

    /** Docker's prune filter until=<time>: containers created before it. */
    public static Predicate<ContainerView> createdBefore(Instant until) {
        return c -> c.created().isBefore(until);
    }
}
