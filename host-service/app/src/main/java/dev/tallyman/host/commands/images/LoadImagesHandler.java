package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageLoadFailed;
import dev.tallyman.audit.event.ImageEvent.ImageLoadRequested;
import dev.tallyman.audit.event.ImageEvent.ImageLoaded;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.images.archive.ImageLoader;
import dev.tallyman.images.archive.LoadProgress;
import dev.tallyman.images.archive.LoadedImage;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.io.InputStream;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * docker load: the intent, then every image of the archive stored (the loader takes back all it made when any
 * image fails), then one append with each image and the names the archive gives it.
 */
public final class LoadImagesHandler {
    private final Journal journal;
    private final ImageLoader loader;

    public LoadImagesHandler(Journal journal, ImageLoader loader) {
        this.journal = journal;
        this.loader = loader;
    }

    /** @param source "-" for the request body (what docker load -i and stdin both send) */
    public List<LoadedImage> handle(InputStream archive, String source, LoadProgress progress, CommandContext context) {
        journal.append(StreamId.request("load", context.correlationId()), ExpectedVersion.any(), new ImageLoadRequested(source), context);
        List<LoadedImage> loaded;
        try {
            loaded = loader.load(archive, progress);
        } catch (RuntimeException e) {
            journal.append(StreamId.request("load", context.correlationId()), ExpectedVersion.any(), new ImageLoadFailed(String.valueOf(e.getMessage())), context);
            throw ImageFailures.toEngine(e).onRecord();
        }
        List<Event> outcome = new ArrayList<>();
        for (LoadedImage image : loaded) {
            String id = image.imageId().toString();
            outcome.add(new ImageLoaded(id, image.diffIds().stream().map(Digest::toString).toList(), image.sizeBytes(),
                    image.created().orElse(Instant.EPOCH)));
            for (ImageReference tag : image.tags()) {
                boolean alreadyNamed = journal.projections().read(p -> p.images().byTag(tag.toString()))
                        .map(v -> v.id().equals(id)).orElse(false);
                if (!alreadyNamed) {
                    outcome.add(new ImageTagged(id, tag.toString()));
                }
            }
        }
        if (!outcome.isEmpty()) {
            journal.append(StreamId.request("load", context.correlationId()), ExpectedVersion.any(), outcome, context);
        }
        return loaded;
    }
}
