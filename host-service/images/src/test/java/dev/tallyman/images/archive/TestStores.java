package dev.tallyman.images.archive;

import dev.tallyman.images.store.ContentStore;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.storage.overlay2.Overlay2Config;
import dev.tallyman.storage.overlay2.Overlay2Driver;
import dev.tallyman.storage.vfs.VfsConfig;
import dev.tallyman.storage.vfs.VfsDriver;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;

/** A content store, a real storage driver and an image store over them, all under one test folder. */
record TestStores(Path root, StorageDriver driver, ContentStore content, ImageStore images) {
    static final Instant NOW = Instant.parse("2026-11-25T10:00:00Z");

    static TestStores vfs(Path root) {
        return of(root, new VfsDriver(new VfsConfig(root.resolve("layers"))));
    }

    static TestStores overlay2(Path root) {
        return of(root, new Overlay2Driver(new Overlay2Config(root.resolve("layers"))));
    }

    private static TestStores of(Path root, StorageDriver driver) {
        ContentStore content = new ContentStore(root.resolve("content"));
        return new TestStores(root, driver, content, new ImageStore(content, driver));
    }

    Path scratch() {
        return root.resolve("scratch");
    }

    ImageImporter importer() {
        return new ImageImporter(images, driver, scratch(), Clock.fixed(NOW, ZoneOffset.UTC));
    }

    ImageLoader loader() {
        return new ImageLoader(images, scratch());
    }

    ImageSaver saver() {
        return new ImageSaver(images);
    }

    ImageCommitter committer(Instant now) {
        return new ImageCommitter(images, scratch(), Clock.fixed(now, ZoneOffset.UTC));
    }

    ContainerExporter exporter() {
        return new ContainerExporter(scratch());
    }
}
