package dev.tallyman.host.projections;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One image as folded from the images stream.
 *
 * @param tags the image's names in normalized form ("docker.io/library/busybox:latest"), sorted
 */
public record ImageView(String id, List<String> diffIds, long sizeBytes, Instant created, Set<String> tags) {
    public ImageView {
        diffIds = List.copyOf(diffIds);
        tags = Set.copyOf(new TreeSet<>(tags));
    }

    ImageView withTags(Set<String> next) {
        return new ImageView(id, diffIds, sizeBytes, created, next);
    }
}
