package dev.tallyman.storage.vfs;

import dev.tallyman.spi.storage.Change;

/**
 * One difference between a layer's tree and its parent's.
 *
 * @param path relative to the layer's root, e.g. {@code etc/hosts}
 */
record TreeChange(Change.Kind kind, String path) {
}
