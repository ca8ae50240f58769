package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageDeleteFailed;
import dev.tallyman.audit.event.ImageEvent.ImageDeleteRequested;
import dev.tallyman.audit.event.ImageEvent.ImageDeleted;
import dev.tallyman.audit.event.ImageEvent.ImageUntagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.LayerId;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * docker rmi with Docker's rules: removing one of several names only untags; an image a container uses needs
 * -f (and a running container's image cannot be removed at all); removing by id with several names needs -f.
 */
public final class RemoveImageHandler {
    private final Journal journal;
    private final ImageLookup images;
    private final ImageStore store;
    // image id -> names whose untag is queued but not yet committed; guarded by itself
    private final Map<String, Set<String>> removing = new java.util.HashMap<>();

    public RemoveImageHandler(Journal journal, ImageLookup images, ImageStore store) {
        this.journal = journal;
        this.images = images;
        this.store = store;
    }

    /** @return Docker's answer rows: {"Untagged": name} and {"Deleted": id} */
    public List<Map<String, String>> handle(String typed, boolean force, CommandContext context) {
        Optional<List<Map<String, String>>> untagged = untagOnly(typed, context);
        if (untagged.isPresent()) {
            return untagged.get();
        }
        List<Map<String, String>> answer = new ArrayList<>();
        // Untags on the fast path may still be queued: hold their reservations still while deciding, and count
        // reserved names as gone.
        Optional<ImageView> toDelete = journal.atomically(() -> { synchronized (removing) {
            ImageView image = images.require(typed);
            Optional<String> byName = nameTyped(typed, image);
            Set<String> reserved = removing.getOrDefault(image.id(), Set.of());
            if (byName.isPresent() && reserved.contains(byName.get())) {
                throw EngineException.notFound("No such image: " + typed);
            }
            long names = image.tags().stream().filter(t -> !reserved.contains(t)).count();
            List<ContainerView> users = journal.projections().read(p -> p.containers().all().stream()
                    .filter(c -> c.spec().imageId().equals(image.id())).toList());
            String shortId = Digest.parse(image.id()).shortHex();
            if (byName.isPresent() && names > 1) {
                untag(image, byName.get(), context, answer);
                return Optional.empty();
            }
            if (byName.isEmpty() && names > 1 && !force) {
                throw EngineException.conflict("conflict: unable to delete " + shortId
                        + " (must be forced) - image is referenced in multiple repositories");
            }
            Optional<ContainerView> running = users.stream().filter(ContainerView::isRunning).findFirst();
            if (running.isPresent()) {
                throw EngineException.conflict("conflict: unable to delete " + shortId + " (cannot be forced) - image is being used by running container "
                        + running.get().id().substring(0, 12));
            }
            if (!users.isEmpty() && !force) {
                String what = byName.map(n -> "remove repository reference \"" + typed + "\"").orElse("delete " + shortId);
                throw EngineException.conflict("conflict: unable to " + what + " (must force) - container "
                        + users.get(0).id().substring(0, 12) + " is using its referenced image " + shortId);
            }
            List<Event> untags = new ArrayList<>();
            for (String tag : image.tags()) {
                if (reserved.contains(tag)) {
                    continue; // its own untag is queued already
                }
                untags.add(new ImageUntagged(image.id(), tag));
                answer.add(Map.of("Untagged", ImageLookup.familiar(tag)));
            }
            if (!users.isEmpty()) {
                // Forced while stopped containers use it: Docker keeps the image, only its names go.
                if (!untags.isEmpty()) {
                    journal.append(StreamId.image(image.id()), ExpectedVersion.any(), untags, context);
                }
                return Optional.empty();
            }
            untags.add(new ImageDeleteRequested(image.id(), force));
            journal.append(StreamId.image(image.id()), ExpectedVersion.any(), untags, context);
            return Optional.of(image);
        } });
        if (toDelete.isEmpty()) {
            return answer;
        }
        ImageView image = toDelete.get();
        List<LayerId> removedLayers;
        try {
            Set<LayerId> stillUsed = new HashSet<>();
            journal.projections().read(p -> p.images().all()).stream()
                    .filter(other -> !other.id().equals(image.id()))
                    .forEach(other -> stillUsed.addAll(store.layers(Digest.parse(other.id()))));
            removedLayers = store.delete(Digest.parse(image.id()), stillUsed);
        } catch (RuntimeException e) {
            journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImageDeleteFailed(image.id(), e.getMessage()), context);
            throw EngineException.system("delete image " + typed + ": " + e.getMessage(), e).onRecord();
        }
        journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImageDeleted(image.id()), context);
        answer.add(Map.of("Deleted", image.id()));
        // Docker lists each layer that went with the image by its chain id, top first.
        removedLayers.forEach(layer -> answer.add(Map.of("Deleted", "sha256:" + layer.value())));
        return answer;
    }

    /**
     * The common case without the cross-stream lock: the user named one of several tags, so only that tag goes.
     * Concurrent untags of one image must not together take its last name (Docker deletes an image with its
     * last name), so each reserves its name in {@link #removing} before its append is queued, and a check counts
     * reserved names as gone. The reservation is held only while the append waits for its commit.
     *
     * @return the answer, or empty when the request needs the full rules of {@link #handle}
     */
    private Optional<List<Map<String, String>>> untagOnly(String typed, CommandContext context) {
        java.util.concurrent.CompletableFuture<dev.tallyman.audit.store.RecordedEvent> queued;
        String imageId;
        String name;
        synchronized (removing) {
            ImageView image = images.require(typed);
            Optional<String> byName = nameTyped(typed, image);
            Set<String> reserved = removing.getOrDefault(image.id(), Set.of());
            if (byName.isEmpty()) {
                return Optional.empty();
            }
            if (reserved.contains(byName.get())) {
                throw EngineException.notFound("No such image: " + typed);
            }
            if (image.tags().stream().filter(t -> !reserved.contains(t)).count() < 2) {
                return Optional.empty();
            }
            imageId = image.id();
            name = byName.get();
            removing.computeIfAbsent(imageId, k -> new HashSet<>()).add(name);
            queued = journal.appendQueued(StreamId.image(imageId), ExpectedVersion.any(), new ImageUntagged(imageId, name), context);
        }
        try {
            Journal.await(queued);
        } finally {
            synchronized (removing) {
                Set<String> reserved = removing.get(imageId);
                reserved.remove(name);
                if (reserved.isEmpty()) {
                    removing.remove(imageId);
                }
            }
        }
        return Optional.of(List.of(Map.of("Untagged", ImageLookup.familiar(name))));
    }

    private void untag(ImageView image, String name, CommandContext context, List<Map<String, String>> answer) {
        journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImageUntagged(image.id(), name), context);
        answer.add(Map.of("Untagged", ImageLookup.familiar(name)));
    }

    /** The normalized name, when the user named the image by one of its tags rather than by id. */
    private static Optional<String> nameTyped(String typed, ImageView image) {
        try {
            String normalized = ImageReference.parse(typed).toString();
            return image.tags().contains(normalized) ? Optional.of(normalized) : Optional.empty();
        } catch (RuntimeException e) {
            return Optional.empty();
        }
    }
}
