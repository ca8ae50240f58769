package dev.tallyman.host.commands.volumes;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.Projections;
import java.util.List;

/** Which containers use a volume: every container, running or not, whose mounts name it, as Docker counts. */
public final class VolumeUsers {
    private VolumeUsers() {
    }

    /** Ids of the containers using volume {@code name}; call inside {@link Projections#read}. */
    public static List<String> of(Projections p, String name) {
        return p.containers().all().stream().filter(c -> uses(c, name)).map(ContainerView::id).sorted().toList();
    }

    public static boolean uses(ContainerView c, String name) {
        return c.spec().mounts().stream().anyMatch(m -> m.mountsVolume() && m.source().equals(name));
    }

    /** ps --filter volume=: a volume's name, or a mount's destination (Docker matches both). */
    public static boolean matchesFilter(ContainerView c, String filter) {
        for (ContainerMount m : c.spec().mounts()) {
            if (m.source().equals(filter) || m.destination().equals(filter)) {
                return true;
            }
        }
        return c.spec().tmpfs().containsKey(filter);
    }
}
