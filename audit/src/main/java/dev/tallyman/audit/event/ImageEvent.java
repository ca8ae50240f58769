package dev.tallyman.audit.event;

import java.time.Instant;
import java.util.List;

/**
 * Everything that happens to images and their names, in the one stream {@code images}: tags move between
 * images, so one stream keeps every name change ordered against the others.
 */
public sealed interface ImageEvent extends Event {

    /**
     * @param source "-" for the request body, else the file or URL named
     * @param reference the name asked for, or "" for none
     */
    @EventType("image.import-requested")
    record ImageImportRequested(String source, String reference, String message) implements ImageEvent {
    }

    /**
     * @param imageId the config digest, "sha256:…"
     * @param diffIds the layers' uncompressed digests, base first
     * @param sizeBytes the image's size as docker images shows it
     * @param created the config's creation time
     */
    @EventType("image.imported")
    record ImageImported(String imageId, List<String> diffIds, long sizeBytes, Instant created) implements ImageEvent {
        public ImageImported {
            diffIds = List.copyOf(diffIds);
        }
    }

    @EventType("image.import-failed")
    record ImageImportFailed(String reference, String reason) implements ImageEvent {
    }

    /** A name now points at the image; any image that had the name loses it in the same append. */
    @EventType("image.tagged")
    record ImageTagged(String imageId, String reference) implements ImageEvent {
    }

    @EventType("image.untagged")
    record ImageUntagged(String imageId, String reference) implements ImageEvent {
    }

    @EventType("image.delete-requested")
    record ImageDeleteRequested(String imageId, boolean force) implements ImageEvent {
    }

    @EventType("image.deleted")
    record ImageDeleted(String imageId) implements ImageEvent {
    }

    @EventType("image.delete-failed")
    record ImageDeleteFailed(String imageId, String reason) implements ImageEvent {
    }
}
