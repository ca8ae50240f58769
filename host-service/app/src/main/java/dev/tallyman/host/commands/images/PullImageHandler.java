package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImagePullFailed;
import dev.tallyman.audit.event.ImageEvent.ImagePullRequested;
import dev.tallyman.audit.event.ImageEvent.ImagePulled;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.ImagePuller;
import dev.tallyman.images.registry.ProgressListener;
import dev.tallyman.images.registry.PulledImage;
import dev.tallyman.images.registry.RegistryCredentials;
import dev.tallyman.images.registry.RegistryEndpoint;
import dev.tallyman.images.registry.RegistryException;
import dev.tallyman.images.registry.RegistryHosts;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * docker pull: records the intent with the registry asked (after mirrors), pulls, then records the image with
 * its repo digest and, for a tag, the name, in one append. A failed pull leaves nothing (the puller takes back
 * what it made) and is recorded with the registry's reason, never with a credential.
 */
public final class PullImageHandler {
    private final Journal journal;
    private final ImagePuller puller;
    private final RegistryHosts hosts;

    public PullImageHandler(Journal journal, ImagePuller puller, RegistryHosts hosts) {
        this.journal = journal;
        this.puller = puller;
        this.hosts = hosts;
    }

    /**
     * The reference a pull request names: {@code fromImage} with {@code tag}, which may also be a digest
     * ({@code sha256:…}), as the CLI splits {@code name@sha256:…}. No tag means latest.
     */
    public static ImageReference referenceOf(String fromImage, String tag) {
        if (fromImage == null || fromImage.isEmpty()) {
            throw EngineException.invalid("invalid reference format");
        }
        if (tag == null || tag.isEmpty()) {
            return ImageLookup.parse(fromImage);
        }
        ImageReference name = ImageLookup.parse(fromImage);
        String base = name.name();
        return ImageLookup.parse(Digest.isValid(tag) ? base + "@" + tag : base + ":" + tag);
    }

    public PulledImage handle(ImageReference reference, Optional<RegistryCredentials> credentials,
                              ProgressListener progress, CommandContext context) {
        String normalized = reference.toString();
        StreamId stream = StreamId.request("pull", context.correlationId());
        journal.append(stream, ExpectedVersion.any(), new ImagePullRequested(normalized, registryOf(reference)), context);
        PulledImage pulled;
        try {
            pulled = puller.pull(reference, credentials, progress);
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(), new ImagePullFailed(normalized, String.valueOf(e.getMessage())), context);
            throw ImageFailures.toEngine(e).onRecord();
        }
        String imageId = pulled.imageId().toString();
        String repoDigest = new ImageReference(reference.domain(), reference.path(), Optional.empty(),
                Optional.of(pulled.manifestDigest())).familiar();
        List<Event> outcome = new ArrayList<>();
        outcome.add(new ImagePulled(imageId, pulled.diffIds().stream().map(Digest::toString).toList(), pulled.sizeBytes(),
                pulled.created().orElse(Instant.EPOCH), normalized, repoDigest, pulled.repoDigest().domain()));
        if (reference.digest().isEmpty()) {
            boolean alreadyNamed = journal.projections().read(p -> p.images().byTag(normalized))
                    .map(v -> v.id().equals(imageId)).orElse(false);
            if (!alreadyNamed) {
                outcome.add(new ImageTagged(imageId, normalized));
            }
        }
        journal.append(stream, ExpectedVersion.any(), outcome, context);
        return pulled;
    }

    /** The registry the pull goes to: the first mirror for docker.io names, else the reference's own host. */
    private String registryOf(ImageReference reference) {
        try {
            List<RegistryEndpoint> endpoints = hosts.endpoints(reference.domain());
            return endpoints.isEmpty() ? reference.domain() : endpoints.get(0).authority();
        } catch (RegistryException e) {
            return reference.domain();
        }
    }
}
