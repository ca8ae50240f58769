package dev.tallyman.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link StorageDriver} must do. A driver's integration test implements this interface and
 * {@link #newDriver}; each check gets a fresh root on disk (not tmpfs), and removes the layers and mounts it
 * made by id and path even when it fails. The checks mount, so they run as root.
 */
public interface StorageDriverContract {

    /** A new driver keeping its data under {@code root} (which may not exist yet). */
    StorageDriver newDriver(Path root);

    private Workspace workspace(Path base) {
        return new Workspace(newDriver(base.resolve("root")), base);
    }

    private static byte[] baseTar() {
        return new LayerTarBuilder()
                .dir("etc").file("etc/hostname", "base").file("etc/motd", "welcome")
                .dir("bin").symlink("bin/sh", "busybox")
                .build();
    }

    private static void assertKind(ThrowingCallable call, DriverException.Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DriverException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    default void writableLayerShowsBaseAndChildWithWhiteoutsApplied(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = workspace(base)) {
            w.apply("base", null, baseTar());
            w.apply("child", "base", new LayerTarBuilder()
                    .dir("etc").whiteout("etc/motd").dir("usr").file("usr/child", "from child").build());
            w.writable("ctr", "child");

            Path rootfs = w.mount("ctr");

            assertThat(rootfs.resolve("etc/hostname")).hasContent("base");
            assertThat(rootfs.resolve("usr/child")).hasContent("from child");
            assertThat(Files.readSymbolicLink(rootfs.resolve("bin/sh"))).isEqualTo(Path.of("busybox"));
            assertThat(rootfs.resolve("etc/motd")).doesNotExist();
        }
    }

    @Test
    default void writesGoToTheWritableLayerOnly(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        try (Workspace w = workspace(base)) {
            LayerInfo image = w.apply("image", null, baseTar());
            w.writable("first", "image");
            w.writable("second", "image");

            Path first = w.mount("first");
            Files.writeString(first.resolve("etc/hostname"), "changed by first");
            Files.writeString(first.resolve("new"), "new file");
            w.unmount(first);
            Path second = w.mount("second");

            assertThat(second.resolve("etc/hostname")).hasContent("base");
            assertThat(second.resolve("new")).doesNotExist();
            assertThat(w.driver().changes(LayerId.of("second"))).isEmpty();
            assertThat(w.driver().changes(LayerId.of("first"))).contains(
                    new Change(Change.Kind.MODIFIED, "/etc/hostname"), new Change(Change.Kind.ADDED, "/new"));
            assertThat(w.driver().inspect(LayerId.of("image"))).contains(image);
        }
    }

    @Test
    default void diffListsAddedChangedDeletedAndItsTarRebuildsTheSameTree(
            @TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        try (Workspace w = workspace(base)) {
            w.apply("image", null, new LayerTarBuilder()
                    .file("kept", "kept").file("modified", "before").file("deleted", "gone soon")
                    .dir("tree").file("tree/leaf", "leaf")
                    .build());
            w.writable("ctr", "image");
            Path rootfs = w.mount("ctr");
            Files.writeString(rootfs.resolve("added"), "added");
            Files.writeString(rootfs.resolve("modified"), "after the change");
            Files.delete(rootfs.resolve("deleted"));
            Files.delete(rootfs.resolve("tree/leaf"));
            Files.delete(rootfs.resolve("tree"));
            w.unmount(rootfs);

            assertThat(w.driver().changes(LayerId.of("ctr"))).containsExactlyInAnyOrder(
                    new Change(Change.Kind.ADDED, "/added"),
                    new Change(Change.Kind.MODIFIED, "/modified"),
                    new Change(Change.Kind.DELETED, "/deleted"),
                    new Change(Change.Kind.DELETED, "/tree"));

            ByteArrayOutputStream diff = new ByteArrayOutputStream();
            w.driver().diff(LayerId.of("ctr"), diff);
            w.apply("committed", "image", diff.toByteArray());

            assertThat(Workspace.describe(w.mount("committed"))).isEqualTo(Workspace.describe(w.mount("ctr")));
        }
    }

    @Test
    default void freshWritableLayerHasNoChanges(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            w.apply("image", null, baseTar());
            w.writable("ctr", "image");

            assertThat(w.driver().changes(LayerId.of("ctr"))).isEmpty();
        }
    }

    @Test
    default void writableLayerWithoutParentStartsEmpty(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = workspace(base)) {
            w.writable("scratch", null);
            Path rootfs = w.mount("scratch");

            assertThat(rootfs).isEmptyDirectory();
            Files.writeString(rootfs.resolve("f"), "x");
            w.unmount(rootfs);

            assertThat(w.driver().changes(LayerId.of("scratch"))).containsExactly(new Change(Change.Kind.ADDED, "/f"));
        }
    }

    @Test
    default void removeOfAParentWithChildrenIsInUse(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            w.apply("image", null, baseTar());
            w.writable("ctr", "image");

            assertKind(() -> w.driver().remove(LayerId.of("image")), DriverException.Kind.IN_USE);
            assertThat(w.driver().inspect(LayerId.of("image"))).isPresent();
            assertThat(w.driver().mounts(LayerId.of("ctr"))).isNotEmpty();
        }
    }

    @Test
    default void removeOfAnAbsentLayerDoesNothing(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            w.apply("image", null, baseTar());

            w.driver().remove(LayerId.of("image"));
            w.driver().remove(LayerId.of("image"));
            w.driver().remove(LayerId.of("never-made"));

            assertThat(w.driver().inspect(LayerId.of("image"))).isEmpty();
            assertThat(w.driver().list()).doesNotContain(LayerId.of("image"));
            assertKind(() -> w.driver().mounts(LayerId.of("image")), DriverException.Kind.NOT_FOUND);
            w.apply("image", null, baseTar()); // the id is free again
        }
    }

    @Test
    default void anExistingIdIsAlreadyExists(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            LayerInfo image = w.apply("image", null, baseTar());
            w.writable("ctr", "image");
            byte[] other = new LayerTarBuilder().file("other", "x").build();

            assertKind(() -> w.apply("image", null, other), DriverException.Kind.ALREADY_EXISTS);
            assertKind(() -> w.writable("image", null), DriverException.Kind.ALREADY_EXISTS);
            assertKind(() -> w.writable("ctr", "image"), DriverException.Kind.ALREADY_EXISTS);
            assertKind(() -> w.apply("ctr", "image", other), DriverException.Kind.ALREADY_EXISTS);
            assertThat(w.driver().inspect(LayerId.of("image"))).contains(image);
        }
    }

    @Test
    default void unknownLayersAreNotFound(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            LayerId absent = LayerId.of("absent");

            assertKind(() -> w.apply("child", "absent", baseTar()), DriverException.Kind.NOT_FOUND);
            assertKind(() -> w.writable("ctr", "absent"), DriverException.Kind.NOT_FOUND);
            assertKind(() -> w.driver().mounts(absent), DriverException.Kind.NOT_FOUND);
            assertKind(() -> w.driver().changes(absent), DriverException.Kind.NOT_FOUND);
            assertKind(() -> w.driver().diff(absent, new ByteArrayOutputStream()), DriverException.Kind.NOT_FOUND);
            assertThat(w.driver().list()).doesNotContain(LayerId.of("child"), LayerId.of("ctr"));
            assertThat(w.driver().inspect(absent)).isEmpty();
        }
    }

    @Test
    default void failedApplyLeavesNoLayer(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = workspace(base)) {
            byte[] good = new LayerTarBuilder().file("big", "x".repeat(20_000)).build();
            byte[] truncated = Arrays.copyOf(good, 8192);
            byte[] escaping = new LayerTarBuilder().file("ok", "fine").file("../../escaped", "x").build();

            assertKind(() -> w.apply("layer", null, truncated), DriverException.Kind.INVALID_ARGUMENT);
            assertKind(() -> w.apply("layer", null, escaping), DriverException.Kind.INVALID_ARGUMENT);

            assertThat(w.driver().inspect(LayerId.of("layer"))).isEmpty();
            assertThat(w.driver().list()).doesNotContain(LayerId.of("layer"));
            assertThat(base.resolve("escaped")).doesNotExist();
            assertThat(w.apply("layer", null, good).sizeBytes()).isEqualTo(20_000);
        }
    }

    @Test
    default void inspectAndListDescribeEveryLayer(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        try (Workspace w = workspace(base)) {
            byte[] imageTar = new LayerTarBuilder().file("thousand", "y".repeat(1000)).build();
            LayerInfo image = w.apply("image", null, imageTar);
            LayerInfo child = w.apply("child", "image", new LayerTarBuilder().file("ten", "0123456789").build());
            w.writable("ctr", "child");
            Path rootfs = w.mount("ctr");
            Files.writeString(rootfs.resolve("hundred"), "z".repeat(100));
            w.unmount(rootfs);

            assertThat(image).isEqualTo(new LayerInfo(LayerId.of("image"), Optional.empty(),
                    Optional.of(sha256(imageTar)), 1000));
            assertThat(child.parent()).contains(LayerId.of("image"));
            assertThat(child.sizeBytes()).isEqualTo(10);
            assertThat(w.driver().inspect(LayerId.of("image"))).contains(image);
            assertThat(w.driver().inspect(LayerId.of("child"))).contains(child);
            assertThat(w.driver().inspect(LayerId.of("ctr"))).contains(
                    new LayerInfo(LayerId.of("ctr"), Optional.of(LayerId.of("child")), Optional.empty(), 100));
            assertThat(w.driver().list()).containsExactlyInAnyOrder(
                    LayerId.of("image"), LayerId.of("child"), LayerId.of("ctr"));
        }
    }

    @Test
    default void diffIdIsTheSha256OfTheTarBytes(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        try (Workspace w = workspace(base)) {
            byte[] tar = baseTar();
            byte[] padded = Arrays.copyOf(tar, tar.length + 10240);

            assertThat(w.apply("plain", null, tar).diffId()).contains(sha256(tar));
            assertThat(w.apply("padded", null, padded).diffId()).contains(sha256(padded));
        }
    }

    @Test
    default void concurrentAppliesOfDifferentIdsAllSucceed(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = workspace(base)) {
            w.apply("image", null, baseTar());
            int count = 8;
            ExecutorService pool = Executors.newFixedThreadPool(count);
            try {
                List<Future<LayerInfo>> applies = new ArrayList<>();
                for (int i = 0; i < count; i++) {
                    String name = "layer-" + i;
                    String parent = i % 2 == 0 ? "image" : null;
                    byte[] tar = new LayerTarBuilder().file(name, name.repeat(1000)).build();
                    applies.add(pool.submit(() -> w.apply(name, parent, tar)));
                }
                for (Future<LayerInfo> apply : applies) {
                    apply.get();
                }
            } finally {
                pool.shutdown();
            }
            for (int i = 0; i < count; i++) {
                LayerId id = LayerId.of("layer-" + i);
                assertThat(w.driver().changes(id)).containsExactly(new Change(Change.Kind.ADDED, "/layer-" + i));
                assertThat(w.driver().inspect(id)).hasValueSatisfying(info -> assertThat(info.sizeBytes())
                        .isEqualTo(("layer-" + 0).length() * 1000L));
            }
        }
    }

    private static String sha256(byte[] bytes) throws Exception {
        return "sha256:" + HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
    }

}
