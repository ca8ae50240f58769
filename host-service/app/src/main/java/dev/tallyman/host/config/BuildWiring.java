package dev.tallyman.host.config;

import dev.tallyman.host.api.ApiRouter;
import dev.tallyman.host.api.BuildApi;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.CreateContainerHandler;
import dev.tallyman.host.commands.containers.RemoveContainerHandler;
import dev.tallyman.host.commands.containers.StartContainerHandler;
import dev.tallyman.host.commands.images.BuildImageHandler;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.PullImageHandler;
import dev.tallyman.host.projections.ContainerWaits;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.images.archive.ImageCommitter;
import dev.tallyman.images.registry.ImagePuller;
import dev.tallyman.images.registry.LayerSources;
import dev.tallyman.images.registry.RegistryHosts;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.StorageDriver;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Optional;

/** Builds docker build's handler and route from the container and image parts {@link Engine} made. */
final class BuildWiring {
    private BuildWiring() {
    }

    record Parts(EngineConfig config, Journal journal, Projections projections, ImageLookup lookup, ImageStore store,
                 StorageDriver storage, CreateContainerHandler create, StartContainerHandler start,
                 RemoveContainerHandler remove, ContainerWaits waits, ContainerLauncher launcher, Clock clock) {
    }

    static void register(ApiRouter api, Parts p) {
        Path scratch = p.config().dataRoot().resolve("tmp");
        RegistryHosts hosts = ImageWiring.registryHosts(p.config());
        PullImageHandler pulls = new PullImageHandler(p.journal(),
                new ImagePuller(p.store(), new LayerSources(p.config().dataRoot().resolve("images")), hosts), hosts);
        BuildImageHandler.FromPuller puller = (reference, out, context) -> {
            out.text(reference.tag().orElse("latest") + ": Pulling from " + reference.path() + "\n");
            return pulls.handle(reference, Optional.empty(), progress -> { }, context).imageId().toString();
        };
        BuildImageHandler handler = new BuildImageHandler(p.journal(), p.projections(), p.lookup(), p.store(), p.storage(),
                new ImageCommitter(p.store(), scratch, p.clock()), p.create(), p.start(), p.remove(), p.waits(),
                p.launcher()::logPath, scratch, Optional.of(puller));
        new BuildApi(handler, scratch).register(api);
        closeInterruptedBuilds(p, scratch);
    }

    /**
     * A build ends with the service that ran it: at boot every build still open on the record is closed as
     * failed (actor reconcile), and what it left in the scratch folder (its unpacked context, a COPY's mount
     * point) goes. Its RUN containers are ordinary containers: the boot reconciler has already decided them.
     */
    private static java.util.UUID correlationOf(String buildId) {
        try {
            return java.util.UUID.fromString(buildId);
        } catch (IllegalArgumentException e) {
            return java.util.UUID.randomUUID();
        }
    }

    private static void closeInterruptedBuilds(Parts p, Path scratch) {
        p.projections().read(x -> x.builds().open()).forEach((buildId, step) -> p.journal().append(
                dev.tallyman.audit.store.StreamId.of("build", buildId), dev.tallyman.audit.store.ExpectedVersion.any(),
                new dev.tallyman.audit.event.BuildEvent.BuildFailed(buildId, step + 1,
                        "interrupted: the service stopped during the build"),
                // the outcome closes the build request's own story: its correlation id is the build's id
                new dev.tallyman.host.commands.CommandContext(dev.tallyman.audit.store.Actor.system("reconcile"),
                        correlationOf(buildId))));
        try (var entries = java.nio.file.Files.list(scratch)) {
            for (Path entry : entries.filter(e -> e.getFileName().toString().startsWith("build-")).toList()) {
                if (dev.tallyman.spi.linux.Mounts.isMountPoint(entry)) {
                    dev.tallyman.spi.linux.Mounts.unmount(entry);
                }
                dev.tallyman.images.build.BuildContext.delete(entry);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // nothing there yet, or a leftover that the next boot tries again
        }
        for (var layer : p.storage().list()) {
            if (layer.value().startsWith("build-")) {
                try {
                    p.storage().remove(layer); // a COPY's scratch layer; images never use these names
                } catch (RuntimeException e) {
                    // tried again at the next boot
                }
            }
        }
    }
}
