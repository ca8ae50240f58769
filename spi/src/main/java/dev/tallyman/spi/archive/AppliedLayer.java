package dev.tallyman.spi.archive;

/**
 * The outcome of applying one layer tar.
 *
 * @param diffId "sha256:" + hex digest of every byte of the tar stream, end-of-archive padding included
 * @param sizeBytes bytes of regular file content the tar wrote (hard links counted once)
 */
public record AppliedLayer(String diffId, long sizeBytes) {
}
