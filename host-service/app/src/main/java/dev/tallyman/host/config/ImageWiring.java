package dev.tallyman.host.config;

import dev.tallyman.host.api.ApiRouter;
import dev.tallyman.host.api.ImageApi;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.ImportImageHandler;
import dev.tallyman.host.commands.images.RemoveImageHandler;
import dev.tallyman.host.commands.images.TagImageHandler;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.images.archive.ImageImporter;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.StorageDriver;
import java.nio.file.Path;
import java.time.Clock;

/** Builds the image commands and their routes, from the parts {@link Engine} shares with containers. */
final class ImageWiring {
    private ImageWiring() {
    }

    /** What the image side needs from the rest of Tallyman. */
    record Shared(EngineConfig config, Journal journal, Projections projections, ImageLookup lookup, ImageStore imageStore,
                  StorageDriver storage, ContainerFinder containers, ContainerLauncher launcher, Clock clock) {
    }

    static void register(ApiRouter api, Shared s) {
        Path scratch = s.config().dataRoot().resolve("tmp");
        ImageImporter importer = new ImageImporter(s.imageStore(), s.storage(), scratch, s.clock());
        new ImageApi(s.projections(), s.lookup(), s.imageStore(), new ImportImageHandler(s.journal(), importer),
                new TagImageHandler(s.journal(), s.lookup()), new RemoveImageHandler(s.journal(), s.lookup(), s.imageStore()),
                scratch).register(api);
    }
}
