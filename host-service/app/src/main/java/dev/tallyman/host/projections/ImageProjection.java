package dev.tallyman.host.projections;

import dev.tallyman.audit.event.ImageEvent;
import dev.tallyman.audit.event.ImageEvent.*;
import dev.tallyman.audit.store.RecordedEvent;
import java.util.Collection;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/** Every image and every name pointing at one, folded from the images stream. */
public final class ImageProjection {
    private final Map<String, ImageView> byId = new LinkedHashMap<>();
    private final Map<String, String> idByTag = new LinkedHashMap<>();
    /** Image id → the image a build step made it from; only built images have one. */
    private final Map<String, String> parents = new LinkedHashMap<>();
    private long streamVersion = -1;
    private String pendingIntent = "";

    void apply(RecordedEvent recorded, ImageEvent event) {
        streamVersion = recorded.version();
        if (event instanceof ImageImportRequested || event instanceof ImageDeleteRequested
                || event instanceof ImagePullRequested || event instanceof ImagePushRequested
                || event instanceof ImageLoadRequested) {
            pendingIntent = recorded.type();
        } else if (event instanceof ImageImported e) {
            pendingIntent = "";
            added(e.imageId(), e.diffIds(), e.sizeBytes(), e.created());
        } else if (event instanceof ImageLoaded e) {
            pendingIntent = "";
            added(e.imageId(), e.diffIds(), e.sizeBytes(), e.created());
        } else if (event instanceof ImageCommitted e) {
            added(e.imageId(), e.diffIds(), e.sizeBytes(), e.created());
        } else if (event instanceof ImageBuilt e) {
            added(e.imageId(), e.diffIds(), e.sizeBytes(), e.created());
            if (!e.parentImageId().isEmpty()) {
                parents.putIfAbsent(e.imageId(), e.parentImageId());
            }
        } else if (event instanceof ImagePulled e) {
            pendingIntent = "";
            added(e.imageId(), e.diffIds(), e.sizeBytes(), e.created());
            byId.computeIfPresent(e.imageId(), (k, v) -> v.withRepoDigest(e.repoDigest()));
        } else if (event instanceof ImagePushed e) {
            pendingIntent = "";
            byId.computeIfPresent(e.imageId(), (k, v) -> v.withRepoDigest(e.repoDigest()));
        } else if (event instanceof ImageImportFailed || event instanceof ImageDeleteFailed
                || event instanceof ImagePullFailed || event instanceof ImagePushFailed || event instanceof ImageLoadFailed
                || event instanceof ImageCommitFailed || event instanceof ImagesSaved) {
            pendingIntent = event instanceof ImagesSaved || event instanceof ImageCommitFailed ? pendingIntent : "";
        } else if (event instanceof ImageEvent.ImageCommitRequested || event instanceof ImageEvent.ImagesSaveRequested
                || event instanceof ImageEvent.ImagesSaveFailed) {
            // A commit and a save change no image that exists; their outcomes are above or need no fold.
        } else if (event instanceof ImageTagged e) {
            String previous = idByTag.put(e.reference(), e.imageId());
            if (previous != null && !previous.equals(e.imageId())) {
                retag(previous, e.reference(), false);
            }
            retag(e.imageId(), e.reference(), true);
        } else if (event instanceof ImageUntagged e) {
            idByTag.remove(e.reference(), e.imageId());
            retag(e.imageId(), e.reference(), false);
        } else if (event instanceof ImageDeleted e) {
            pendingIntent = "";
            ImageView gone = byId.remove(e.imageId());
            parents.remove(e.imageId());
            if (gone != null) {
                gone.tags().forEach(t -> idByTag.remove(t, e.imageId()));
            }
        } else {
            throw new IllegalStateException("no projection case for " + event.getClass().getSimpleName());
        }
    }

    /** The image a build step made this one from, for images that a build made. */
    public Optional<String> parentOf(String imageId) {
        return Optional.ofNullable(parents.get(imageId));
    }

    /** Whether a build step made another image from this one (Docker calls such an untagged image intermediate). */
    public boolean hasChildren(String imageId) {
        return parents.containsValue(imageId);
    }

    private void added(String id, java.util.List<String> diffIds, long size, java.time.Instant created) {
        byId.putIfAbsent(id, new ImageView(id, diffIds, size, created, Set.of(), java.util.List.of()));
    }

    private void retag(String imageId, String reference, boolean add) {
        ImageView view = byId.get(imageId);
        if (view == null) {
            return;
        }
        Set<String> tags = new HashSet<>(view.tags());
        if (add) {
            tags.add(reference);
        } else {
            tags.remove(reference);
        }
        byId.put(imageId, view.withTags(tags));
    }

    public Optional<ImageView> byId(String id) {
        return Optional.ofNullable(byId.get(id));
    }

    /** The image a normalized name points at. */
    public Optional<ImageView> byTag(String normalizedReference) {
        return Optional.ofNullable(idByTag.get(normalizedReference)).map(byId::get);
    }

    public Collection<ImageView> all() {
        return List.copyOf(byId.values());
    }

    /** The images stream's last version, -1 before the first event. */
    public long streamVersion() {
        return streamVersion;
    }

    public String pendingIntent() {
        return pendingIntent;
    }

    public Map<String, ImageView> snapshot() {
        return Map.copyOf(byId);
    }
}
