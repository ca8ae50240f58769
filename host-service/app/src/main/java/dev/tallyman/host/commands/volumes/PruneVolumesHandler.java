package dev.tallyman.host.commands.volumes;

import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.projections.VolumeView;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Predicate;
import org.jboss.logging.Logger;

/** docker volume prune: removes every volume no container uses that the filters select, each as docker volume rm would. */
public final class PruneVolumesHandler {
    private static final Logger LOG = Logger.getLogger(PruneVolumesHandler.class);

    private final Projections projections;
    private final RemoveVolumeHandler remove;
    private final VolumeDrivers drivers;

    public PruneVolumesHandler(Projections projections, RemoveVolumeHandler remove, VolumeDrivers drivers) {
        this.projections = projections;
        this.remove = remove;
        this.drivers = drivers;
    }

    public record Pruned(List<String> names, long spaceReclaimed) {
    }

    public Pruned handle(Predicate<VolumeView> selected, CommandContext context) {
        List<VolumeView> candidates = projections.read(p -> p.volumes().all().stream()
                .filter(v -> v.created() && v.pendingIntent().isEmpty())
                .filter(v -> VolumeUsers.of(p, v.name()).isEmpty())
                .toList()).stream().filter(selected).toList();
        List<String> removed = new ArrayList<>();
        long space = 0;
        for (VolumeView v : candidates) {
            long size = drivers.find(v.driver()).map(d -> {
                try {
                    return Math.max(0, d.usage(v.name()));
                } catch (RuntimeException e) {
                    return 0L;
                }
            }).orElse(0L);
            try {
                remove.handle(v.name(), false, context);
                removed.add(v.name());
                space += size;
            } catch (EngineException e) {
                // In use by a container created meanwhile, or the driver failed: on the record; prune goes on.
                LOG.warnf("prune volume %s: %s", v.name(), e.getMessage());
            }
        }
        return new Pruned(removed, space);
    }
}
