package dev.tallyman.images.archive;

import dev.tallyman.images.reference.Digest;

/**
 * Hears how far a load has read each layer it stores, for Docker's {@code Loading layer} progress lines
 * (whose id is the first 12 hex digits of the chain id). A layer the host already has is not read, so not
 * reported, as Docker does. Called on the loading thread.
 */
@FunctionalInterface
public interface LoadProgress {
    LoadProgress NONE = (chainId, bytesRead, totalBytes) -> { };

    /**
     * @param chainId    the layer's chain id
     * @param bytesRead  bytes of the layer's file in the archive read so far (compressed, when it is)
     * @param totalBytes the size of that file; the last call of a layer has {@code bytesRead == totalBytes}
     */
    void layer(Digest chainId, long bytesRead, long totalBytes);
}
