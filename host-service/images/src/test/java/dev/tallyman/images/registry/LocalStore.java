package dev.tallyman.images.registry;

import dev.tallyman.images.store.ContentStore;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.storage.vfs.VfsConfig;
import dev.tallyman.storage.vfs.VfsDriver;
import java.nio.file.Path;

/** One host's image storage: the real vfs driver, a content store and the layer-source index, under one folder. */
record LocalStore(Path root, VfsDriver driver, ContentStore content, ImageStore images, LayerSources sources) {

    static LocalStore at(Path root) {
        VfsDriver driver = new VfsDriver(new VfsConfig(root.resolve("vfs")));
        ContentStore content = new ContentStore(root.resolve("content"));
        return new LocalStore(root, driver, content, new ImageStore(content, driver), new LayerSources(root.resolve("content")));
    }

    ImagePuller puller(RegistryHosts hosts) {
        return new ImagePuller(images, sources, hosts);
    }

    ImagePusher pusher(RegistryHosts hosts) {
        return new ImagePusher(images, sources, hosts);
    }
}
