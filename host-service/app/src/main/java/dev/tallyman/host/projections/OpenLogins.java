package dev.tallyman.host.projections;

import dev.tallyman.audit.event.RegistryEvent;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.HashSet;
import java.util.Set;

/** The registries with a docker login on the record that has no outcome yet; the boot reconciler closes them. */
public final class OpenLogins {
    private final Set<String> open = new HashSet<>();

    void apply(RecordedEvent recorded, RegistryEvent event) {
        if (event instanceof RegistryEvent.RegistryLoginRequested) {
            open.add(event.registry());
        } else {
            open.remove(event.registry());
        }
    }

    /** Registry hosts, as the events name them. */
    public Set<String> registries() {
        return Set.copyOf(open);
    }
}
