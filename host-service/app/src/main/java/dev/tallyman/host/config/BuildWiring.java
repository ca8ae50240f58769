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
            out.text(reference.tag().orElse("latest") + ": Pulling from " + reference.familiarName() + "\n");
            return pulls.handle(reference, Optional.empty(), progress -> { }, context).imageId().toString();
        };
        BuildImageHandler handler = new BuildImageHandler(p.journal(), p.projections(), p.lookup(), p.store(), p.storage(),
                new ImageCommitter(p.store(), scratch, p.clock()), p.create(), p.start(), p.remove(), p.waits(),
                p.launcher()::logPath, scratch, Optional.of(puller));
        new BuildApi(handler, scratch).register(api);
    }
}
