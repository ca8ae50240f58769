package dev.tallyman.host.commands.images;

import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.audit.event.Event;
import dev.tallyman.audit.event.ImageEvent.ImageCommitFailed;
import dev.tallyman.audit.event.ImageEvent.ImageCommitRequested;
import dev.tallyman.audit.event.ImageEvent.ImageCommitted;
import dev.tallyman.audit.event.ImageEvent.ImageTagged;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.PauseContainerHandler;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.images.archive.CommitOptions;
import dev.tallyman.images.archive.ImageCommitter;
import dev.tallyman.images.archive.ImportedImage;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * docker commit: the container's writable layer, diffed by the storage driver, becomes the new top layer over
 * its image; the container's own config (its command, environment, … as created) becomes the image's, then the
 * request's overrides and {@code -c} changes apply. A running container is paused meanwhile unless
 * {@code --pause=false}, through the pause command so the pause is on the record too.
 */
public final class CommitContainerHandler {
    private final Journal journal;
    private final ContainerFinder containers;
    private final PauseContainerHandler pauses;
    private final ImageCommitter committer;
    private final ImageStore images;
    private final StorageDriver driver;

    public CommitContainerHandler(Journal journal, ContainerFinder containers, PauseContainerHandler pauses,
                                  ImageCommitter committer, ImageStore images, StorageDriver driver) {
        this.journal = journal;
        this.containers = containers;
        this.pauses = pauses;
        this.committer = committer;
        this.images = images;
        this.driver = driver;
    }

    /**
     * @param overrides the request body's config (Docker's container config), applied over the container's own
     * @param reference the name to give the image, if any (checked before anything is made)
     */
    public ImportedImage handle(String typed, Optional<ImageReference> reference, String author, String comment,
                                List<String> changes, Optional<ContainerConfigOverrides> overrides, boolean pause,
                                CommandContext context) {
        ContainerView container = containers.require(typed);
        if (container.state() == ContainerState.CREATING || container.state() == ContainerState.REMOVING) {
            throw EngineException.conflict("Container " + container.id() + " is " + container.state().dockerStatus()
                    + ": commit is not possible now");
        }
        Digest parent = Digest.parse(container.spec().imageId());
        ContainerConfig own = configOf(container.spec(), images.config(parent).config());
        ContainerConfig config = overrides.map(o -> o.applyTo(own)).orElse(own);
        StreamId stream = StreamId.request("commit", context.correlationId());
        journal.append(stream, ExpectedVersion.any(),
                new ImageCommitRequested(container.id(), reference.map(ImageReference::toString).orElse("")), context);
        boolean pauseNow = pause && container.state() == ContainerState.RUNNING;
        if (pauseNow) {
            try {
                pauses.pause(container.id(), context);
            } catch (RuntimeException e) {
                journal.append(stream, ExpectedVersion.any(),
                        new ImageCommitFailed(container.id(), String.valueOf(e.getMessage())), context);
                throw e instanceof EngineException engine ? engine : ImageFailures.toEngine(e);
            }
        }
        ImportedImage image;
        try {
            image = committer.commit(driver, LayerId.of(container.id()), parent,
                    new CommitOptions(author, comment, changes, Optional.of(config), pause));
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(),
                    new ImageCommitFailed(container.id(), String.valueOf(e.getMessage())), context);
            throw ImageFailures.toEngine(e).onRecord();
        } finally {
            if (pauseNow) {
                pauses.unpause(container.id(), context);
            }
        }
        String id = image.imageId().toString();
        List<Event> outcome = new ArrayList<>();
        outcome.add(new ImageCommitted(id, container.id(), image.diffIds().stream().map(Digest::toString).toList(),
                image.sizeBytes(), image.created(), author == null ? "" : author, comment == null ? "" : comment));
        reference.ifPresent(r -> outcome.add(new ImageTagged(id, r.toString())));
        journal.append(stream, ExpectedVersion.any(), outcome, context);
        return image;
    }

    /** What the container runs with, in the image config's terms; what a container spec lacks comes from its image. */
    static ContainerConfig configOf(ContainerSpec spec, ContainerConfig image) {
        return new ContainerConfig(spec.user(), spec.env(), spec.cmd(), spec.entrypoint(), spec.workingDir(),
                spec.labels(), image.exposedPorts(), image.volumes(),
                spec.stopSignal() == null || spec.stopSignal().isEmpty() ? image.stopSignal() : spec.stopSignal(),
                image.onBuild(), image.healthcheck(), image.shell());
    }

    /** The parts of Docker's container config a commit request may override; absent fields keep the container's. */
    public record ContainerConfigOverrides(Optional<String> user, Optional<List<String>> env, Optional<List<String>> cmd,
                                           Optional<List<String>> entrypoint, Optional<String> workingDir,
                                           Optional<java.util.Map<String, String>> labels) {
        ContainerConfig applyTo(ContainerConfig c) {
            return new ContainerConfig(user.orElse(c.user()), env.orElse(c.env()), cmd.orElse(c.cmd()),
                    entrypoint.orElse(c.entrypoint()), workingDir.orElse(c.workingDir()), labels.orElse(c.labels()),
                    c.exposedPorts(), c.volumes(), c.stopSignal(), c.onBuild(), c.healthcheck(), c.shell());
        }
    }
}
