package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.ImageEvent.ImagesSaveFailed;
import dev.tallyman.audit.event.ImageEvent.ImagesSaveRequested;
import dev.tallyman.audit.event.ImageEvent.ImagesSaved;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.projections.ImageView;
import dev.tallyman.images.archive.ImageSaver;
import dev.tallyman.images.archive.SaveRequest;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.io.OutputStream;
import java.util.ArrayList;
import java.util.List;

/**
 * docker save: resolves every name first (an unknown one fails before a byte is written), writes the archive,
 * then records which images left the host and under which names.
 */
public final class SaveImagesHandler {
    private final Journal journal;
    private final ImageLookup lookup;
    private final ImageSaver saver;

    public SaveImagesHandler(Journal journal, ImageLookup lookup, ImageSaver saver) {
        this.journal = journal;
        this.lookup = lookup;
        this.saver = saver;
    }

    /**
     * What each name means, as Docker reads it: a tag saves that image under that tag; an id saves it without a
     * name; a repository without a tag saves every tag of it.
     */
    public List<SaveRequest> plan(List<String> names) {
        if (names.isEmpty()) {
            throw EngineException.invalid("no images specified");
        }
        List<SaveRequest> requests = new ArrayList<>();
        for (String typed : names) {
            List<SaveRequest> repository = wholeRepository(typed);
            if (!repository.isEmpty()) {
                requests.addAll(repository);
                continue;
            }
            ImageView image = lookup.require(typed);
            List<ImageReference> tags = new ArrayList<>();
            try {
                ImageReference reference = ImageReference.parse(typed);
                if (reference.digest().isEmpty() && image.tags().contains(reference.toString())) {
                    tags.add(reference);
                }
            } catch (RuntimeException byId) {
                // an id or a short id: saved without a name
            }
            requests.add(new SaveRequest(Digest.parse(image.id()), tags));
        }
        return requests;
    }

    private List<SaveRequest> wholeRepository(String typed) {
        ImageReference repository;
        try {
            repository = ImageReference.parseWithoutDefaultTag(typed);
        } catch (RuntimeException notAName) {
            return List.of();
        }
        if (repository.tag().isPresent() || repository.digest().isPresent()) {
            return List.of();
        }
        String prefix = repository.name() + ":";
        List<SaveRequest> requests = new ArrayList<>();
        for (ImageView image : journal.projections().read(p -> List.copyOf(p.images().all()))) {
            List<ImageReference> tags = image.tags().stream().filter(t -> t.startsWith(prefix)).map(ImageReference::parse).toList();
            if (!tags.isEmpty()) {
                requests.add(new SaveRequest(Digest.parse(image.id()), tags));
            }
        }
        return requests;
    }

    /** Writes the archive of the planned images to {@code out} (not closed) and records it. */
    public void save(List<SaveRequest> requests, OutputStream out, CommandContext context) {
        List<String> names = requests.stream().flatMap(r -> r.tags().isEmpty() ? java.util.stream.Stream.of(r.imageId().toString())
                : r.tags().stream().map(ImageReference::toString)).distinct().toList();
        // Data leaving the host is on the record before its first byte, as cp out and export are.
        journal.append(StreamId.request("save", context.correlationId()), ExpectedVersion.any(), new ImagesSaveRequested(names), context);
        try {
            saver.save(requests, out);
        } catch (RuntimeException e) {
            journal.append(StreamId.request("save", context.correlationId()), ExpectedVersion.any(), new ImagesSaveFailed(names,
                    String.valueOf(e.getMessage())), context);
            throw ImageFailures.toEngine(e).onRecord();
        }
        List<String> ids = requests.stream().map(r -> r.imageId().toString()).distinct().toList();
        List<String> references = requests.stream().flatMap(r -> r.tags().stream()).map(ImageReference::toString).distinct().toList();
        journal.append(StreamId.request("save", context.correlationId()), ExpectedVersion.any(), new ImagesSaved(ids, references), context);
    }
}
