package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageImportFailed;
import dev.tallyman.audit.event.ImageEvent.ImageImportRequested;
import dev.tallyman.audit.event.ImageEvent.ImageImported;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.ImageImporter;
import dev.tallyman.images.archive.ImportedImage;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * docker import: records the intent, unpacks the tar into a layer and writes the image config, then records
 * the image and, when a name was given, the tag, in one append.
 */
public final class ImportImageHandler {
    private final Journal journal;
    private final ImageImporter importer;

    public ImportImageHandler(Journal journal, ImageImporter importer) {
        this.journal = journal;
        this.importer = importer;
    }

    /** The name to import as, checked before any byte of the body is read: a bad name leaves nothing behind. */
    public static Optional<ImageReference> referenceOf(String repo, String tag) {
        if (repo == null || repo.isEmpty()) {
            return Optional.empty();
        }
        String text = tag == null || tag.isEmpty() ? repo : repo + ":" + tag;
        return Optional.of(ImageLookup.parse(text));
    }

    public Digest handle(InputStream tar, Optional<ImageReference> reference, String source, List<String> changes,
                         String message, CommandContext context) {
        String name = reference.map(ImageReference::toString).orElse("");
        journal.append(StreamId.request("import", context.correlationId()), ExpectedVersion.any(), new ImageImportRequested(source, name, message), context);
        ImportedImage imported;
        try {
            imported = importer.importImage(tar, changes, message);
        } catch (ImageException | dev.tallyman.spi.DriverException | java.io.UncheckedIOException e) {
            journal.append(StreamId.request("import", context.correlationId()), ExpectedVersion.any(), new ImageImportFailed(name, e.getMessage()), context);
            boolean userFault = e instanceof ImageException ie && ie.kind() == ImageException.Kind.INVALID_PARAMETER;
            throw (userFault ? EngineException.invalid(e.getMessage()) : EngineException.system(e.getMessage(), e)).onRecord();
        }
        List<Event> outcome = new ArrayList<>();
        outcome.add(new ImageImported(imported.imageId().toString(),
                imported.diffIds().stream().map(Digest::toString).toList(), imported.sizeBytes(), imported.created()));
        reference.ifPresent(r -> outcome.add(new ImageTagged(imported.imageId().toString(), r.toString())));
        journal.append(StreamId.request("import", context.correlationId()), ExpectedVersion.any(), outcome, context);
        return imported.imageId();
    }
}
