package dev.tallyman.storage.overlay2;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.storage.StorageDriver;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import dev.tallyman.spi.testkit.LayerTarBuilder;
import dev.tallyman.spi.testkit.StorageDriverContract;
import dev.tallyman.spi.testkit.Workspace;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class Overlay2DriverIT implements StorageDriverContract {

    @Override
    public StorageDriver newDriver(Path root) {
        return new Overlay2Driver(new Overlay2Config(root));
    }

    private Overlay2Driver driver(Workspace w) {
        return (Overlay2Driver) w.driver();
    }

    @Test
    void whiteoutIsStoredAsCharacterDeviceZeroZero(@TempDir(factory = LayerStorageDirs.class) Path base) {
        try (Workspace w = new Workspace(newDriver(base.resolve("root")), base)) {
            w.apply("image", null, new LayerTarBuilder().dir("etc").file("etc/motd", "hi").build());
            w.apply("child", "image", new LayerTarBuilder().dir("etc").whiteout("etc/motd").build());

            FileStat whiteout = statOf(driver(w).diffDir(LayerId.of("child")).resolve("etc/motd"));

            assertThat(whiteout.isCharacterDevice()).isTrue();
            assertThat(whiteout.rdev()).isZero();
            assertThat(driver(w).diffDir(LayerId.of("child")).resolve("etc/.wh.motd")).doesNotExist();
        }
    }

    @Test
    void opaqueDirectoryHidesLowerEntriesAndSurvivesDiff(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = new Workspace(newDriver(base.resolve("root")), base)) {
            w.apply("image", null, new LayerTarBuilder().dir("data").file("data/old", "old").build());
            w.apply("child", "image", new LayerTarBuilder().dir("data").opaque("data").file("data/new", "new").build());
            w.writable("ctr", "child");

            Path rootfs = w.mount("ctr");

            try (var names = Files.list(rootfs.resolve("data"))) {
                assertThat(names.map(p -> p.getFileName().toString())).containsExactly("new");
            }
            assertThat(OverlayWhiteouts.isOpaque(driver(w).diffDir(LayerId.of("child")).resolve("data"))).isTrue();
            ByteArrayOutputStream diff = new ByteArrayOutputStream();
            driver(w).diff(LayerId.of("child"), diff);
            assertThat(entryNames(diff.toByteArray())).contains("data/", "data/.wh..wh..opq", "data/new");
        }
    }

    @Test
    void containerDeletionBecomesAWhiteoutEntryInTheDiff(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = new Workspace(newDriver(base.resolve("root")), base)) {
            w.apply("image", null, new LayerTarBuilder().dir("etc").file("etc/motd", "hi").build());
            w.writable("ctr", "image");
            Path rootfs = w.mount("ctr");
            Files.delete(rootfs.resolve("etc/motd"));
            w.unmount(rootfs);

            ByteArrayOutputStream diff = new ByteArrayOutputStream();
            driver(w).diff(LayerId.of("ctr"), diff);

            assertThat(entryNames(diff.toByteArray())).containsExactly("etc/", "etc/.wh.motd");
        }
    }

    @Test
    void mountedWritableLayerIsInUse(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        try (Workspace w = new Workspace(newDriver(base.resolve("root")), base)) {
            w.apply("image", null, new LayerTarBuilder().file("f", "x").build());
            w.writable("ctr", "image");
            Path rootfs = w.mount("ctr");

            assertThatThrownBy(() -> w.driver().remove(LayerId.of("ctr"))).isInstanceOfSatisfying(
                    DriverException.class, e -> assertThat(e.kind()).isEqualTo(DriverException.Kind.IN_USE));
            w.unmount(rootfs);
            w.driver().remove(LayerId.of("ctr"));
            assertThat(w.driver().inspect(LayerId.of("ctr"))).isEmpty();
        }
    }

    @Test
    void stackOf130LayersMountsAndShowsEveryLayer(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        try (Workspace w = new Workspace(newDriver(base.resolve("root")), base)) {
            int depth = 130;
            String parent = null;
            for (int i = 0; i < depth; i++) {
                String id = "layer-" + i;
                w.apply(id, parent, new LayerTarBuilder().file("file-" + i, "layer " + i).build());
                parent = id;
            }
            long started = System.nanoTime();
            w.writable("ctr", parent);
            List<MountSpec> specs = w.driver().mounts(LayerId.of("ctr"));
            Path rootfs = w.mount("ctr");
            long micros = (System.nanoTime() - started) / 1000;
            System.out.println("overlay2: createWritable + mounts + mount of a 130-layer stack took " + micros + " µs");

            assertThat(String.join(",", specs.get(0).options()).length()).as("data longer than a page").isGreaterThan(4096);
            for (int i = 0; i < depth; i++) {
                assertThat(rootfs.resolve("file-" + i)).hasContent("layer " + i);
            }
            Files.writeString(rootfs.resolve("file-0"), "changed");
            assertThat(driver(w).diffDir(LayerId.of("ctr")).resolve("file-0")).hasContent("changed");
        }
    }

    @Test
    void incompleteLayerIsRemovedWhenTheDriverStarts(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        Path root = base.resolve("root");
        try (Workspace w = new Workspace(newDriver(root), base)) {
            w.apply("image", null, new LayerTarBuilder().file("f", "x").build());
            Path crashed = Files.createDirectories(root.resolve("layers/half/diff"));
            Files.writeString(crashed.resolve("partial"), "cut short");
            Files.createDirectories(root.resolve("layers/.removing-gone-1/diff"));

            StorageDriver restarted = newDriver(root);

            assertThat(restarted.list()).containsExactly(LayerId.of("image"));
            assertThat(root.resolve("layers/half")).doesNotExist();
            assertThat(root.resolve("layers/.removing-gone-1")).doesNotExist();
            try (var links = Files.list(root.resolve("l"))) {
                assertThat(links).hasSize(1);
            }
        }
    }

    @Test
    void applyOfAnIdLeftIncompleteReplacesTheLeftovers(@TempDir(factory = LayerStorageDirs.class) Path base) {
        Path root = base.resolve("root");
        try (Workspace w = new Workspace(newDriver(root), base)) {
            Files.createDirectories(root.resolve("layers/half/diff/stale"));

            w.apply("half", null, new LayerTarBuilder().file("fresh", "x").build());

            assertThat(root.resolve("layers/half/diff/stale")).doesNotExist();
            assertThat(root.resolve("layers/half/diff/fresh")).hasContent("x");
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    @Test
    void providerIsFoundByNameAndProbesThisHostClean(@TempDir(factory = LayerStorageDirs.class) Path base) {
        var provider = Drivers.storage(getClass().getClassLoader(), "overlay2");

        assertThat(provider).isPresent();
        assertThat(provider.get().probe(base.resolve("not/yet/made"))).isEmpty();
        assertThat(base.resolve("not")).doesNotExist();
    }

    private static FileStat statOf(Path path) {
        try {
            return FileStat.of(path);
        } catch (java.io.IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    private static List<String> entryNames(byte[] tar) throws Exception {
        List<String> names = new ArrayList<>();
        try (TarArchiveInputStream in = new TarArchiveInputStream(new ByteArrayInputStream(tar))) {
            for (TarArchiveEntry e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                names.add(e.getName());
            }
        }
        return names;
    }
}
