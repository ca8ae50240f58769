package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.ImageEvent.ImagePushFailed;
import dev.tallyman.audit.event.ImageEvent.ImagePushRequested;
import dev.tallyman.audit.event.ImageEvent.ImagePushed;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.ImagePusher;
import dev.tallyman.images.registry.ProgressListener;
import dev.tallyman.images.registry.PushedImage;
import dev.tallyman.images.registry.RegistryCredentials;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;

/**
 * docker push: for each tag pushed, the intent, the upload, then the outcome with the manifest digest the
 * registry now holds (which becomes one of the image's repo digests). A name without a tag pushes every local
 * tag of that repository, as Docker does.
 */
public final class PushImageHandler {
    private final Journal journal;
    private final ImagePusher pusher;

    public PushImageHandler(Journal journal, ImagePusher pusher) {
        this.journal = journal;
        this.pusher = pusher;
    }

    /** The local tags a push request names, each with its image, checked before anything is sent. */
    public Map<ImageReference, ImageView> resolve(String name, String tag) {
        ImageReference repository = ImageLookup.parseWithoutDefaultTag(name);
        if (repository.digest().isPresent()) {
            throw EngineException.invalid("cannot push a digest reference");
        }
        Map<ImageReference, ImageView> targets = new TreeMap<>(java.util.Comparator.comparing(ImageReference::toString));
        if (tag != null && !tag.isEmpty()) {
            ImageReference reference = ImageLookup.parse(repository.name() + ":" + tag);
            targets.put(reference, image(reference, repository));
        } else if (repository.tag().isPresent()) {
            targets.put(repository, image(repository, repository));
        } else {
            String prefix = repository.name() + ":";
            journal.projections().read(p -> List.copyOf(p.images().all())).forEach(image -> image.tags().stream()
                    .filter(t -> t.startsWith(prefix))
                    .forEach(t -> targets.put(ImageLookup.parse(t), image)));
            if (targets.isEmpty()) {
                throw EngineException.notFound("An image does not exist locally with the tag: " + repository.familiarName());
            }
        }
        return targets;
    }

    private ImageView image(ImageReference reference, ImageReference repository) {
        return journal.projections().read(p -> p.images().byTag(reference.toString()))
                .orElseThrow(() -> EngineException.notFound("An image does not exist locally with the tag: "
                        + repository.familiarName()));
    }

    /** Pushes one tag; the progress goes to {@code progress}, the outcome on the record. */
    public PushedImage push(ImageReference reference, ImageView image, Optional<RegistryCredentials> credentials,
                            ProgressListener progress, CommandContext context) {
        String normalized = reference.toString();
        journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImagePushRequested(image.id(), normalized), context);
        PushedImage pushed;
        try {
            pushed = pusher.push(reference, Digest.parse(image.id()), credentials, progress);
        } catch (RuntimeException e) {
            journal.append(StreamId.image(image.id()), ExpectedVersion.any(),
                    new ImagePushFailed(image.id(), normalized, String.valueOf(e.getMessage())), context);
            throw ImageFailures.toEngine(e).onRecord();
        }
        String repoDigest = new ImageReference(reference.domain(), reference.path(), Optional.empty(),
                Optional.of(pushed.manifestDigest())).familiar();
        journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImagePushed(image.id(), normalized, repoDigest), context);
        return pushed;
    }
}
