package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.util.Objects;

/**
 * The outcome of a push: what Docker reports as {@code <tag>: digest: sha256:... size: N} and in the final
 * aux message {@code {"Tag","Digest","Size"}}.
 *
 * @param tag            the tag pushed
 * @param manifestDigest digest of the manifest the registry now holds under the tag
 * @param manifestSize   length of that manifest in bytes
 * @param repoDigest     {@code <repository>@<manifestDigest>}
 */
public record PushedImage(String tag, Digest manifestDigest, long manifestSize, ImageReference repoDigest) {
    public PushedImage {
        Objects.requireNonNull(tag, "tag");
        Objects.requireNonNull(manifestDigest, "manifestDigest");
        Objects.requireNonNull(repoDigest, "repoDigest");
    }
}
