package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ContainerEvent;
import dev.tallyman.audit.event.Intent;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The intents of a container that run beside its life rather than change it (copies in and out, export,
 * terminal resizes, exec starts): several may be open at once and none blocks a start or a stop, so they are kept here
 * instead of in the container's one pending intent. The boot reconciler closes what a crash left open.
 */
public final class OpenSideIntents {
    private static final Set<Class<?>> SIDE = Set.of(ContainerEvent.ContainerCopyInRequested.class,
            ContainerEvent.ContainerCopyOutRequested.class, ContainerEvent.ContainerExportRequested.class,
            ContainerEvent.ContainerResizeRequested.class, ContainerEvent.ContainerExecStartRequested.class);

    // Plain strings only: the state goes into snapshots as it is (SnapshotFormat).
    /** Container id → correlation ids of its side intents without an outcome yet. */
    private final Map<String, Set<String>> open = new HashMap<>();
    /** Correlation id → the names of the outcome types that close it. */
    private final Map<String, List<String>> closers = new HashMap<>();

    /** Whether the event type is one this class keeps, so the container's own projection leaves it alone. */
    public static boolean isSide(ContainerEvent event) {
        return SIDE.contains(event.getClass());
    }

    void apply(RecordedEvent recorded, ContainerEvent event) {
        String correlation = recorded.correlationId().toString();
        if (SIDE.contains(event.getClass())) {
            open.computeIfAbsent(event.containerId(), k -> new HashSet<>()).add(correlation);
            closers.put(correlation, ((Intent) event).outcomes().stream().map(Class::getName).toList());
            return;
        }
        if (event instanceof ContainerEvent.ContainerRemoved) {
            Set<String> gone = open.remove(event.containerId());
            if (gone != null) {
                gone.forEach(closers::remove);
            }
            return;
        }
        List<String> closing = closers.get(correlation);
        if (closing != null && closing.contains(event.getClass().getName())) {
            closers.remove(correlation);
            Set<String> of = open.get(event.containerId());
            if (of != null) {
                of.remove(correlation);
                if (of.isEmpty()) {
                    open.remove(event.containerId());
                }
            }
        }
    }

    /** The containers with at least one side intent open. */
    public Set<String> containers() {
        return Set.copyOf(open.keySet());
    }
}
