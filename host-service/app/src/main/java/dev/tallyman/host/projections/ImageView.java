package dev.tallyman.host.projections;

import java.time.Instant;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

/**
 * One image as folded from the images stream.
 *
 * @param tags the image's names in normalized form ("docker.io/library/busybox:latest"), sorted
 * @param repoDigests "repo@sha256:…" for each registry manifest it was pulled from or pushed as, familiar form
 */
public record ImageView(String id, List<String> diffIds, long sizeBytes, Instant created, Set<String> tags,
                        List<String> repoDigests) {
    public ImageView {
        diffIds = List.copyOf(diffIds);
        // Sorted for real (Set.copyOf is not), so the state renders the same live and after a replay.
        tags = java.util.Collections.unmodifiableSortedSet(new TreeSet<>(tags));
        repoDigests = List.copyOf(repoDigests);
    }

    ImageView withTags(Set<String> next) {
        return new ImageView(id, diffIds, sizeBytes, created, next, repoDigests);
    }

    ImageView withRepoDigest(String repoDigest) {
        if (repoDigests.contains(repoDigest)) {
            return this;
        }
        List<String> next = new java.util.ArrayList<>(repoDigests);
        next.add(repoDigest);
        return new ImageView(id, diffIds, sizeBytes, created, tags, next);
    }
}
