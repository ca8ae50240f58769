package dev.tallyman.spi.storage;

import java.util.Optional;

/**
 * What a driver knows of one layer.
 *
 * @param diffId sha256 digest ("sha256:" + hex) of the uncompressed tar the layer was made from; empty for writable layers
 * @param sizeBytes bytes the layer's own files take (not its parents')
 */
public record LayerInfo(LayerId id, Optional<LayerId> parent, Optional<String> diffId, long sizeBytes) {
}
