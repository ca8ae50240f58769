package dev.tallyman.host.projections;

import dev.tallyman.audit.event.VolumeEvent;
import dev.tallyman.audit.event.VolumeEvent.*;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * Every volume that exists, folded from volume events in position order. Which containers use a volume is not
 * kept here: it follows from the containers' mounts, so it can never disagree with them.
 */
public final class VolumeProjection {
    private final Map<String, VolumeView> byName = new TreeMap<>();
    /** The last version of every volume stream, removed volumes included: a name used again continues its stream. */
    private final Map<String, Long> versions = new HashMap<>();

    void apply(RecordedEvent recorded, VolumeEvent event) {
        String name = event.name();
        long version = recorded.version();
        versions.put(name, version);
        VolumeView view = byName.get(name);
        if (event instanceof VolumeCreateRequested e) {
            byName.put(name, new VolumeView(name, e.driver(), "", e.options(), e.labels(), recorded.occurredAt(), false,
                    version, recorded.type()));
            return;
        }
        if (view == null) {
            return; // an outcome for a volume already gone: on the record, nothing to change
        }
        if (event instanceof VolumeCreated e) {
            byName.put(name, view.with(e.mountpoint(), e.createdAt(), true, version, ""));
        } else if (event instanceof VolumeCreateFailed) {
            byName.remove(name);
        } else if (event instanceof VolumeRemoveRequested) {
            byName.put(name, view.with(view.mountpoint(), view.createdAt(), view.created(), version, recorded.type()));
        } else if (event instanceof VolumeRemoved) {
            byName.remove(name);
        } else if (event instanceof VolumeRemoveFailed || event instanceof VolumeMounted || event instanceof VolumeUnmounted) {
            byName.put(name, view.with(view.mountpoint(), view.createdAt(), view.created(), version,
                    event instanceof VolumeRemoveFailed ? "" : view.pendingIntent()));
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
    }

    public Optional<VolumeView> byName(String name) {
        return Optional.ofNullable(byName.get(name));
    }

    /** The version the next event of this name's stream must expect; 0 means no stream yet. */
    public long streamVersion(String name) {
        return versions.getOrDefault(name, 0L);
    }

    public boolean hasStream(String name) {
        return versions.containsKey(name);
    }

    public Collection<VolumeView> all() {
        return List.copyOf(byName.values());
    }

    public Map<String, VolumeView> snapshot() {
        return Map.copyOf(byName);
    }
}
