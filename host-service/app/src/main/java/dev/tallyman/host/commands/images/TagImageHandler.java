package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.reference.ImageReference;

/** docker tag: points a name at an image; the image that had the name loses it (the projection does that). */
public final class TagImageHandler {
    private final Journal journal;
    private final ImageLookup images;

    public TagImageHandler(Journal journal, ImageLookup images) {
        this.journal = journal;
        this.images = images;
    }

    public void handle(String source, String repo, String tag, CommandContext context) {
        ImageView image = images.require(source);
        ImageReference target = ImageLookup.parse(tag == null || tag.isEmpty() ? repo : repo + ":" + tag);
        if (target.digest().isPresent()) {
            throw dev.tallyman.host.commands.EngineException.invalid("refusing to create a tag with a digest reference");
        }
        journal.append(StreamId.image(image.id()), ExpectedVersion.any(), new ImageTagged(image.id(), target.toString()), context);
    }
}
