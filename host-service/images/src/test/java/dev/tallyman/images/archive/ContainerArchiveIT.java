package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.fixtures.FileTreeSnapshot;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** docker commit, export and diff of a container layer on overlay2, with real mounts. */
class ContainerArchiveIT {
    static final Instant LATER = Instant.parse("2026-11-26T08:00:00Z");

    @TempDir(factory = LayerStorageDirs.class)
    Path root;
    TestStores stores;
    ImportedImage busybox;
    LayerId container;
    final List<LayerId> containerLayers = new ArrayList<>();
    final List<Path> mounts = new ArrayList<>();

    @BeforeEach
    void busyboxContainerThatChangedFiles() throws IOException {
        stores = TestStores.overlay2(root);
        ByteArrayOutputStream rootfs = new ByteArrayOutputStream();
        BusyboxRootfs.write(rootfs, Map.of("etc/motd", "welcome\n"));
        busybox = stores.importer().importImage(new ByteArrayInputStream(rootfs.toByteArray()), List.of("CMD [\"sh\"]"), "");
        container = newContainer("c1");
        try (LayerMount rw = LayerMount.asContainer(stores.driver(), container, root.resolve("c1-rootfs"))) {
            Files.writeString(rw.root().resolve("etc/motd"), "changed\n");
            Files.delete(rw.root().resolve("etc/group"));
            Files.createDirectories(rw.root().resolve("data/deep"));
            Files.writeString(rw.root().resolve("data/deep/file"), "new\n");
            Files.createSymbolicLink(rw.root().resolve("data/link"), Path.of("/etc/passwd"));
        }
    }

    private LayerId newContainer(String name) {
        LayerId id = LayerId.of(name + "-" + System.nanoTime());
        stores.driver().createWritable(id, stores.images().topLayer(busybox.imageId()));
        containerLayers.add(id);
        return id;
    }

    private Path mountPoint(String name) {
        Path path = root.resolve(name);
        mounts.add(path);
        return path;
    }

    @AfterEach
    void cleanUp() throws IOException {
        for (Path mount : mounts) {
            Mounts.unmount(mount);
        }
        for (LayerId layer : containerLayers) {
            stores.driver().remove(layer);
        }
    }

    @Test
    void overlayDiffListsTheDeletedFileAsD() {
        List<Change> changes = stores.driver().changes(container);

        assertThat(changes).contains(
                new Change(Change.Kind.DELETED, "/etc/group"),
                new Change(Change.Kind.MODIFIED, "/etc/motd"),
                new Change(Change.Kind.MODIFIED, "/etc"),
                new Change(Change.Kind.ADDED, "/data"),
                new Change(Change.Kind.ADDED, "/data/deep/file"),
                new Change(Change.Kind.ADDED, "/data/link"));
        assertThat(changes).noneMatch(c -> c.path().contains(".wh."));
    }

    @Test
    void commitStacksTheContainersDiffWithAuthorCommentChangesAndHistory() throws IOException {
        ImageConfig parent = stores.images().config(busybox.imageId());
        CommitOptions options = new CommitOptions("Ada <ada@example.com>", "motd changed", List.of("ENV STAGE=2"),
                Optional.of(parent.config().withCmd(List.of("sh", "-c", "cat /etc/motd"))), true);

        ImportedImage image = stores.committer(LATER).commit(stores.driver(), container, busybox.imageId(), options);

        ImageConfig config = stores.images().config(image.imageId());
        assertThat(config.author()).isEqualTo("Ada <ada@example.com>");
        assertThat(config.comment()).isEqualTo("motd changed");
        assertThat(config.created()).contains(LATER);
        assertThat(config.config().cmd()).containsExactly("sh", "-c", "cat /etc/motd");
        assertThat(config.config().env()).containsExactly("STAGE=2");
        assertThat(config.history()).hasSize(2);
        assertThat(config.history().get(1)).isEqualTo(
                new HistoryEntry(Optional.of(LATER), "sh -c cat /etc/motd", "motd changed", "Ada <ada@example.com>", false));
        assertThat(config.diffIds()).hasSize(2).startsWith(busybox.diffIds().get(0));
        assertThat(image.layers()).isEqualTo(ChainIds.layerIds(config.diffIds()));
        Digest diffId = config.diffIds().get(1);
        try (InputStream tar = stores.images().layerTar(diffId)) {
            assertThat(Digest.sha256(tar.readAllBytes())).isEqualTo(diffId);
        }
        assertThat(stores.driver().inspect(image.layers().get(1)).orElseThrow().parent()).contains(busybox.layers().get(0));

        try (LayerMount view = LayerMount.readOnly(stores.driver(), image.layers().get(1), mountPoint("committed"))) {
            assertThat(view.root().resolve("etc/motd")).hasContent("changed");
            assertThat(view.root().resolve("etc/group")).doesNotExist();
            assertThat(view.root().resolve("data/deep/file")).hasContent("new");
            assertThat(Files.readSymbolicLink(view.root().resolve("data/link"))).isEqualTo(Path.of("/etc/passwd"));
            assertThat(view.root().resolve("bin/busybox")).exists();
        }
        assertThat(stores.scratch()).isEmptyDirectory();
    }

    @Test
    void commitOfAnUnchangedContainerAddsAnEmptyHistoryEntryAndNoLayer() {
        LayerId unchanged = newContainer("c2");
        int blobsBefore = stores.content().list().size();

        ImportedImage image = stores.committer(LATER).commit(stores.driver(), unchanged, busybox.imageId(),
                new CommitOptions("", "nothing", List.of(), Optional.empty(), false));

        ImageConfig config = stores.images().config(image.imageId());
        assertThat(config.diffIds()).isEqualTo(busybox.diffIds());
        assertThat(config.history()).last().satisfies(h -> assertThat(h.emptyLayer()).isTrue());
        assertThat(config.config().cmd()).containsExactly("sh");
        assertThat(stores.content().list()).hasSize(blobsBefore + 1);
    }

    @Test
    void aBadChangeRefusesTheCommitBeforeAnythingIsMade() {
        int blobsBefore = stores.content().list().size();
        int layersBefore = stores.driver().list().size();

        assertThatThrownBy(() -> stores.committer(LATER).commit(stores.driver(), container, busybox.imageId(),
                new CommitOptions("", "", List.of("RUN true"), Optional.empty(), false)))
                .isInstanceOf(ImageException.class)
                .hasMessage("RUN is not a valid change command");
        assertThat(stores.content().list()).hasSize(blobsBefore);
        assertThat(stores.driver().list()).hasSize(layersBefore);
    }

    @Test
    void exportOfARunningContainerHasNoWhiteoutsAndImportsBackToTheSameFiles() throws IOException {
        LayerMount running = LayerMount.asContainer(stores.driver(), container, mountPoint("running"));
        ByteArrayOutputStream exported = new ByteArrayOutputStream();

        stores.exporter().export(stores.driver(), container, exported);

        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream tar = new TarArchiveInputStream(new ByteArrayInputStream(exported.toByteArray()))) {
            for (TarArchiveEntry e = tar.getNextEntry(); e != null; e = tar.getNextEntry()) {
                names.add(e.getName());
            }
        }
        assertThat(names).contains("bin/busybox", "etc/motd", "data/deep/file", "data/link")
                .doesNotContain("etc/group")
                .noneMatch(n -> n.contains(".wh."));
        assertThat(names).isSorted();
        assertThat(running.root().resolve("etc/motd")).hasContent("changed"); // the container's mount is untouched

        ImportedImage reimported = stores.importer().importImage(new ByteArrayInputStream(exported.toByteArray()),
                List.of("CMD [\"sh\"]"), "");
        try (LayerMount view = LayerMount.readOnly(stores.driver(), reimported.layers().get(0), mountPoint("reimported"))) {
            assertThat(FileTreeSnapshot.of(view.root())).isEqualTo(FileTreeSnapshot.of(running.root()));
        }
        running.close();
        assertThat(stores.scratch()).isEmptyDirectory();
    }

    @Test
    void exportOfAStoppedContainerIsTheSameBytesEachTime() {
        ByteArrayOutputStream first = new ByteArrayOutputStream();
        ByteArrayOutputStream second = new ByteArrayOutputStream();

        stores.exporter().export(stores.driver(), container, first);
        stores.exporter().export(stores.driver(), container, second);

        assertThat(second.toByteArray()).isEqualTo(first.toByteArray());
    }

    @Test
    void exportOfAnUnknownLayerIsNotFoundAndLeavesNoMountPoint() {
        assertThatThrownBy(() -> stores.exporter().export(stores.driver(), LayerId.of("no-such-layer"), new ByteArrayOutputStream()))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND));
        assertThat(stores.scratch()).isEmptyDirectory();
    }
}
