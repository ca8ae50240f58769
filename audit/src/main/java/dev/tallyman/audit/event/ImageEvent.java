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
    record ImageImportRequested(String source, String reference, String message) implements ImageEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ImageImported.class, ImageImportFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImageImportFailed(reference, reason);
        }
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
    record ImageDeleteRequested(String imageId, boolean force) implements ImageEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ImageDeleted.class, ImageDeleteFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImageDeleteFailed(imageId, reason);
        }
    }

    @EventType("image.deleted")
    record ImageDeleted(String imageId) implements ImageEvent {
    }

    @EventType("image.delete-failed")
    record ImageDeleteFailed(String imageId, String reason) implements ImageEvent {
    }

    /** @param registry the registry host asked, after mirrors: "localhost:5000", "docker.io" */
    @EventType("image.pull-requested")
    record ImagePullRequested(String reference, String registry) implements ImageEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ImagePulled.class, ImagePullFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImagePullFailed(reference, reason);
        }
    }

    /**
     * @param repoDigest "repo@sha256:…" of the manifest pulled, as docker images --digests shows it
     * @param source the registry or mirror the bytes came from
     */
    @EventType("image.pulled")
    record ImagePulled(String imageId, List<String> diffIds, long sizeBytes, Instant created, String reference,
                       String repoDigest, String source) implements ImageEvent {
        public ImagePulled {
            diffIds = List.copyOf(diffIds);
        }
    }

    @EventType("image.pull-failed")
    record ImagePullFailed(String reference, String reason) implements ImageEvent {
    }

    @EventType("image.push-requested")
    record ImagePushRequested(String imageId, String reference) implements ImageEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ImagePushed.class, ImagePushFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImagePushFailed(imageId, reference, reason);
        }
    }

    /** @param repoDigest "repo@sha256:…" of the manifest the registry now holds */
    @EventType("image.pushed")
    record ImagePushed(String imageId, String reference, String repoDigest) implements ImageEvent {
    }

    @EventType("image.push-failed")
    record ImagePushFailed(String imageId, String reference, String reason) implements ImageEvent {
    }

    @EventType("image.load-requested")
    record ImageLoadRequested(String source) implements ImageEvent, Intent {
        @Override
        public java.util.List<Class<? extends Event>> outcomes() {
            return java.util.List.of(ImageLoaded.class, ImageLoadFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImageLoadFailed(reason);
        }
    }

    @EventType("image.loaded")
    record ImageLoaded(String imageId, List<String> diffIds, long sizeBytes, Instant created) implements ImageEvent {
        public ImageLoaded {
            diffIds = List.copyOf(diffIds);
        }
    }

    @EventType("image.load-failed")
    record ImageLoadFailed(String reason) implements ImageEvent {
    }

    /** An archive of these images was written for the caller (docker save); nothing in the store changed. */
    @EventType("image.saved")
    record ImagesSaved(List<String> imageIds, List<String> references) implements ImageEvent {
        public ImagesSaved {
            imageIds = List.copyOf(imageIds);
            references = List.copyOf(references);
        }
    }

    /** A new image from a container's changes (docker commit). */
    @EventType("image.committed")
    record ImageCommitted(String imageId, String containerId, List<String> diffIds, long sizeBytes, Instant created,
                          String author, String comment) implements ImageEvent {
        public ImageCommitted {
            diffIds = List.copyOf(diffIds);
        }
    }

    @EventType("image.commit-failed")
    record ImageCommitFailed(String containerId, String reason) implements ImageEvent {
    }

    /** docker commit, before the container's layer is read: which container, and the name asked for ("" none). */
    @EventType("image.commit-requested")
    record ImageCommitRequested(String containerId, String reference) implements ImageEvent, Intent {
        @Override
        public List<Class<? extends Event>> outcomes() {
            return List.of(ImageCommitted.class, ImageCommitFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImageCommitFailed(containerId, reason);
        }
    }

    /** docker save, before the first byte leaves: the names as the caller gave them. */
    @EventType("image.save-requested")
    record ImagesSaveRequested(List<String> names) implements ImageEvent, Intent {
        public ImagesSaveRequested {
            names = List.copyOf(names);
        }

        @Override
        public List<Class<? extends Event>> outcomes() {
            return List.of(ImagesSaved.class, ImagesSaveFailed.class);
        }

        @Override
        public Event interrupted(String reason) {
            return new ImagesSaveFailed(names, reason);
        }
    }

    @EventType("image.save-failed")
    record ImagesSaveFailed(List<String> names, String reason) implements ImageEvent {
        public ImagesSaveFailed {
            names = List.copyOf(names);
        }
    }

    /**
     * A build step made this image (docker build): over {@code parentImageId} ("" for scratch), by the
     * instruction {@code createdBy} as docker history shows it.
     */
    @EventType("image.built")
    record ImageBuilt(String imageId, List<String> diffIds, long sizeBytes, Instant created, String parentImageId,
                      String createdBy, String buildId) implements ImageEvent {
        public ImageBuilt {
            diffIds = List.copyOf(diffIds);
        }
    }
}
