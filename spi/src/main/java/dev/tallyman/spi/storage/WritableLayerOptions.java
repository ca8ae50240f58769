package dev.tallyman.spi.storage;

import java.util.Map;
import java.util.Optional;

/**
 * An optional ability of a {@link StorageDriver}: writable layers made with per-container options, what
 * {@code docker run --storage-opt key=value} asks for (e.g. {@code size=10G}). The host checks with
 * {@code instanceof}; a driver without it refuses every such option, and the user hears so before anything is made.
 */
public interface WritableLayerOptions {

    /**
     * Why this driver cannot honour these options here (an unknown key, a size the backing filesystem cannot
     * enforce), in words for the user; empty when it can. Called before the container is on the record.
     */
    Optional<String> refusal(Map<String, String> options);

    /** As {@link StorageDriver#createWritable}, with options that {@link #refusal} accepted. */
    void createWritable(LayerId id, Optional<LayerId> parent, Map<String, String> options);
}
