package dev.tallyman.audit.event;

import java.time.Instant;
import java.util.Map;

/**
 * Everything that happens to one named volume, in stream {@code volume-<name>}. A name can be used again after
 * its volume is removed; the new volume's events continue the same stream.
 */
public sealed interface VolumeEvent extends Event {

    String name();

    /**
     * @param driver the volume driver asked for ({@code local})
     * @param options the driver's options ({@code -o})
     * @param labels the volume's labels; anonymous volumes carry Docker's {@code com.docker.volume.anonymous}
     */
    @EventType("volume.create-requested")
    record VolumeCreateRequested(String name, String driver, Map<String, String> options, Map<String, String> labels)
            implements VolumeEvent, Intent {
        public VolumeCreateRequested {
            options = Map.copyOf(options);
            labels = Map.copyOf(labels);
        }

        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(VolumeCreated.class, VolumeCreateFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new VolumeCreateFailed(name, reason);
        }
    }

    /** The driver holds the volume; {@code mountpoint} is where its data is on the host. */
    @EventType("volume.created")
    record VolumeCreated(String name, String driver, String mountpoint, Instant createdAt) implements VolumeEvent {
    }

    @EventType("volume.create-failed")
    record VolumeCreateFailed(String name, String reason) implements VolumeEvent {
    }

    /** A container's run began with the volume mounted at {@code destination}. */
    @EventType("volume.mounted")
    record VolumeMounted(String name, String driver, String containerId, String destination, boolean readWrite, String propagation)
            implements VolumeEvent {
    }

    /** A container's run that had the volume mounted ended. */
    @EventType("volume.unmounted")
    record VolumeUnmounted(String name, String driver, String containerId) implements VolumeEvent {
    }

    @EventType("volume.remove-requested")
    record VolumeRemoveRequested(String name, boolean force) implements VolumeEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(VolumeRemoved.class, VolumeRemoveFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new VolumeRemoveFailed(name, reason);
        }
    }

    /** The volume and its data are gone. */
    @EventType("volume.removed")
    record VolumeRemoved(String name, String driver) implements VolumeEvent {
    }

    /** The volume was not removed and keeps its data. */
    @EventType("volume.remove-failed")
    record VolumeRemoveFailed(String name, String reason) implements VolumeEvent {
    }
}
