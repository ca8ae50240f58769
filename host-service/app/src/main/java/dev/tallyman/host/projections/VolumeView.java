package dev.tallyman.host.projections;

import java.time.Instant;
import java.util.Map;

/**
 * One volume as folded from its events.
 *
 * @param mountpoint where the driver keeps its data ("" until the driver created it)
 * @param version the version of the volume stream's last event
 * @param pendingIntent the type of an intent without an outcome, or "" (reconciliation looks at it)
 */
public record VolumeView(String name, String driver, String mountpoint, Map<String, String> options,
                         Map<String, String> labels, Instant createdAt, boolean created, long version, String pendingIntent) {
    /** Docker's label on volumes made for a container without a name (-v /path, an image's VOLUME). */
    public static final String ANONYMOUS_LABEL = "com.docker.volume.anonymous";

    public VolumeView {
        options = Map.copyOf(options);
        labels = Map.copyOf(labels);
    }

    public boolean anonymous() {
        return labels.containsKey(ANONYMOUS_LABEL);
    }

    VolumeView with(String newMountpoint, Instant newCreatedAt, boolean nowCreated, long nextVersion, String intent) {
        return new VolumeView(name, driver, newMountpoint, options, labels, newCreatedAt, nowCreated, nextVersion, intent);
    }
}
