package dev.tallyman.images.archive;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.util.List;
import java.util.Objects;

/**
 * One image to save and the tags to record for it ({@code RepoTags}); no tags for an image named by id, which
 * then loads without a name, as with Docker.
 */
public record SaveRequest(Digest imageId, List<ImageReference> tags) {
    public SaveRequest {
        Objects.requireNonNull(imageId, "imageId");
        tags = List.copyOf(tags);
    }
}
