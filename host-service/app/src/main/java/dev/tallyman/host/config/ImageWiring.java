package dev.tallyman.host.config;

import dev.tallyman.host.api.ApiRouter;
import dev.tallyman.host.api.ContainerArchiveApi;
import dev.tallyman.host.api.ImageApi;
import dev.tallyman.host.api.ImageArchiveApi;
import dev.tallyman.host.api.RegistryApi;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.commands.containers.PauseContainerHandler;
import dev.tallyman.host.commands.files.ContainerFilesHandler;
import dev.tallyman.host.commands.images.CommitContainerHandler;
import dev.tallyman.host.commands.images.ImageLookup;
import dev.tallyman.host.commands.images.ImportImageHandler;
import dev.tallyman.host.commands.images.LoadImagesHandler;
import dev.tallyman.host.commands.images.PruneImagesHandler;
import dev.tallyman.host.commands.images.PullImageHandler;
import dev.tallyman.host.commands.images.PushImageHandler;
import dev.tallyman.host.commands.images.RemoveImageHandler;
import dev.tallyman.host.commands.images.SaveImagesHandler;
import dev.tallyman.host.commands.images.TagImageHandler;
import dev.tallyman.host.projections.Projections;
import dev.tallyman.host.runtime.ContainerLauncher;
import dev.tallyman.images.archive.ContainerExporter;
import dev.tallyman.images.archive.ImageCommitter;
import dev.tallyman.images.archive.ImageImporter;
import dev.tallyman.images.archive.ImageLoader;
import dev.tallyman.images.archive.ImageSaver;
import dev.tallyman.images.registry.ImagePuller;
import dev.tallyman.images.registry.ImagePusher;
import dev.tallyman.images.registry.LayerSources;
import dev.tallyman.images.registry.RegistryHosts;
import dev.tallyman.images.registry.RegistryLogin;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.StorageDriver;
import java.net.URI;
import java.nio.file.Path;
import java.time.Clock;
import java.util.List;

/** Builds the image commands and their routes, from the parts {@link Engine} shares with containers. */
final class ImageWiring {
    private ImageWiring() {
    }

    /** What the image side needs from the rest of Tallyman. */
    record Shared(EngineConfig config, Journal journal, Projections projections, ImageLookup lookup, ImageStore imageStore,
                  StorageDriver storage, ContainerFinder containers, ContainerLauncher launcher, Clock clock) {
    }

    static void register(ApiRouter api, Shared s) throws Exception {
        // Scratch space beside the content store, so spooled layers are moved into it rather than copied.
        Path scratch = s.config().dataRoot().resolve("tmp");
        Journal journal = s.journal();
        ImageStore store = s.imageStore();
        RegistryHosts hosts = registryHosts(s.config());
        LayerSources sources = new LayerSources(s.config().dataRoot().resolve("images"));

        ImageImporter importer = new ImageImporter(store, s.storage(), scratch, s.clock());
        RemoveImageHandler remover = new RemoveImageHandler(journal, s.lookup(), store);
        RegistryApi registry = new RegistryApi(
                new PullImageHandler(journal, new ImagePuller(store, sources, hosts), hosts),
                new PushImageHandler(journal, new ImagePusher(store, sources, hosts)),
                new RegistryLogin(hosts), hosts, journal);
        registry.register(api);
        new dev.tallyman.host.api.DistributionApi(new dev.tallyman.images.registry.DistributionInspector(hosts)).register(api);
        ImportImageHandler imports = new ImportImageHandler(journal, importer);
        if (s.config().seedImage().filter(t -> !t.isBlank()).isPresent()) {
            dev.tallyman.host.commands.images.SeedImage.parse(s.config().seedImage().get())
                    .importIfMissing(s.lookup(), imports, journal);
        }
        new ImageApi(s.projections(), s.lookup(), store, imports,
                new TagImageHandler(journal, s.lookup()), remover, new PruneImagesHandler(journal, remover, s.storage()),
                registry::pull, scratch).register(api);
        new ImageArchiveApi(new SaveImagesHandler(journal, s.lookup(), new ImageSaver(store)),
                new LoadImagesHandler(journal, new ImageLoader(store, scratch)), scratch).register(api);

        PauseContainerHandler pauses = new PauseContainerHandler(journal, s.containers(), s.launcher().runtime());
        CommitContainerHandler commit = new CommitContainerHandler(journal, s.containers(), pauses,
                new ImageCommitter(store, scratch, s.clock()), store, s.storage());
        ContainerFilesHandler files = new ContainerFilesHandler(journal, s.containers(), s.storage(), s.launcher()::rootfs,
                new ContainerExporter(scratch), scratch);
        new ContainerArchiveApi(files, commit, scratch).register(api);
    }

    /** Docker's daemon.json registry settings, from tallyman.insecure-registries and tallyman.registry-mirrors. */
    static RegistryHosts registryHosts(EngineConfig config) {
        List<String> insecure = config.insecureRegistries().orElse(List.of()).stream()
                .map(String::trim).filter(e -> !e.isEmpty()).toList();
        List<URI> mirrors = config.registryMirrors().orElse(List.of()).stream()
                .map(String::trim).filter(e -> !e.isEmpty()).map(URI::create).toList();
        return new RegistryHosts(insecure, mirrors);
    }
}
