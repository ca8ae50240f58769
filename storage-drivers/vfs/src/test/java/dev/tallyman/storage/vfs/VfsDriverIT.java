package dev.tallyman.storage.vfs;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import dev.tallyman.spi.testkit.LayerTarBuilder;
import dev.tallyman.spi.testkit.StorageDriverContract;
import dev.tallyman.spi.testkit.Workspace;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class VfsDriverIT implements StorageDriverContract {

    @Override
    public StorageDriver newDriver(Path root) {
        return new VfsDriver(new VfsConfig(root));
    }

    @Test
    void childLayerIsAFullCopyWithWhiteoutsDeleted(@TempDir(factory = LayerStorageDirs.class) Path base) {
        Path root = base.resolve("root");
        try (Workspace w = new Workspace(newDriver(root), base)) {
            w.apply("image", null, new LayerTarBuilder().dir("etc").file("etc/motd", "hi").file("etc/keep", "k").build());
            w.apply("child", "image", new LayerTarBuilder().dir("etc").whiteout("etc/motd").opaque("etc")
                    .file("etc/own", "o").build());

            Path childTree = root.resolve("layers/child/fs/etc");
            assertThat(childTree.resolve("own")).hasContent("o");
            assertThat(childTree.resolve("motd")).doesNotExist();
            assertThat(childTree.resolve("keep")).as("hidden by the opaque marker").doesNotExist();
            assertThat(root.resolve("layers/image/fs/etc/motd")).hasContent("hi");
            assertThat(w.driver().changes(LayerId.of("child"))).contains(
                    new Change(Change.Kind.DELETED, "/etc/motd"), new Change(Change.Kind.ADDED, "/etc/own"));
        }
    }

    @Test
    void incompleteLayerIsRemovedWhenTheDriverStarts(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        Path root = base.resolve("root");
        try (Workspace w = new Workspace(newDriver(root), base)) {
            w.apply("image", null, new LayerTarBuilder().file("f", "x").build());
            Files.createDirectories(root.resolve("layers/half/fs"));

            assertThat(newDriver(root).list()).containsExactly(LayerId.of("image"));
            assertThat(root.resolve("layers/half")).doesNotExist();
        }
    }

    @Test
    void providerIsFoundByName() {
        assertThat(Drivers.storage(getClass().getClassLoader(), "vfs")).isPresent();
    }
}
