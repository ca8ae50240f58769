package dev.tallyman.host.api;

import dev.tallyman.audit.event.ContainerEvent.ContainerCreateRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerRenamed;
import dev.tallyman.audit.store.EventStore;
import dev.tallyman.audit.store.RecordedEvent;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.projections.ContainerProjection.Identity;
import dev.tallyman.host.projections.Projections;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * Names a container's events for one {@code docker events} answer: from the projections while the container
 * exists or was removed lately, else from the container's own stream (its create and renames), which is what an
 * old event replayed with {@code --since} needs. Remembered for the answer's life: a replay names the same
 * containers many times.
 */
final class ContainerIdentities {
    private final Projections projections;
    private final EventStore store;
    private final Map<String, Optional<Identity>> fromRecord = new ConcurrentHashMap<>();

    ContainerIdentities(Projections projections, EventStore store) {
        this.projections = projections;
        this.store = store;
    }

    Optional<Identity> of(String id) {
        Optional<Identity> known = projections.read(p -> p.containers().identity(id));
        return known.isPresent() ? known : fromRecord.computeIfAbsent(id, this::read);
    }

    private Optional<Identity> read(String id) {
        Identity found = null;
        for (RecordedEvent e : store.readStream(StreamId.container(id))) {
            if (e.event() instanceof ContainerCreateRequested c) {
                found = new Identity(c.name(), c.spec().image(), c.spec().labels());
            } else if (e.event() instanceof ContainerRenamed r && found != null) {
                found = new Identity(r.newName(), found.image(), found.labels());
            }
        }
        return Optional.ofNullable(found);
    }
}
