package dev.tallyman.spi.testkit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeMount;
import dev.tallyman.spi.volume.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What every {@link VolumeDriver} must do. A driver's integration test implements this interface and
 * {@link #newDriver}; each check gets a fresh root on disk and unmounts what it mounted by path, even when it
 * fails. Some checks mount, so they run as root.
 */
public interface VolumeDriverContract {

    /** A new driver keeping its volumes under {@code root} (which may not exist yet). */
    VolumeDriver newDriver(Path root);

    /** Driver options the driver must refuse with INVALID_ARGUMENT. */
    default Map<String, String> unknownOptions() {
        return Map.of("no-such-option", "1");
    }

    private static void assertKind(ThrowingCallable call, DriverException.Kind kind) {
        assertThatThrownBy(call).isInstanceOfSatisfying(DriverException.class, e -> assertThat(e.kind()).isEqualTo(kind));
    }

    @Test
    default void createdVolumeIsInspectedListedAndHasAnEmptyMountpoint(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        VolumeDriver driver = newDriver(base.resolve("root"));

        VolumeInfo created = driver.create(new VolumeSpec("data", Map.of()));

        assertThat(created.name()).isEqualTo("data");
        assertThat(driver.inspect("data")).contains(created);
        assertThat(driver.list()).containsExactly(created);
        assertThat(created.mountpoint()).isDirectory();
        try (var entries = Files.list(created.mountpoint())) {
            assertThat(entries).isEmpty();
        }
        assertThat(driver.inspect("other")).isEmpty();
    }

    @Test
    default void creatingAnExistingNameReturnsTheVolumeAsItIs(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        VolumeDriver driver = newDriver(base.resolve("root"));
        VolumeInfo first = driver.create(new VolumeSpec("data", Map.of()));
        Files.writeString(first.mountpoint().resolve("kept"), "kept");

        VolumeInfo again = driver.create(new VolumeSpec("data", Map.of()));

        assertThat(again).isEqualTo(first);
        assertThat(again.mountpoint().resolve("kept")).hasContent("kept");
        assertThat(driver.list()).hasSize(1);
    }

    @Test
    default void unknownOptionsAreRefusedAndLeaveNothing(@TempDir(factory = LayerStorageDirs.class) Path base) {
        VolumeDriver driver = newDriver(base.resolve("root"));

        assertKind(() -> driver.create(new VolumeSpec("data", unknownOptions())), DriverException.Kind.INVALID_ARGUMENT);

        assertThat(driver.inspect("data")).isEmpty();
        assertThat(driver.list()).isEmpty();
    }

    @Test
    default void unknownVolumesAreNotFound(@TempDir(factory = LayerStorageDirs.class) Path base) {
        VolumeDriver driver = newDriver(base.resolve("root"));

        assertKind(() -> driver.mount("nothing"), DriverException.Kind.NOT_FOUND);
        assertKind(() -> driver.usage("nothing"), DriverException.Kind.NOT_FOUND);
    }

    @Test
    default void dataSurvivesANewDriverOnTheSameRoot(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        Path root = base.resolve("root");
        VolumeInfo created = newDriver(root).create(new VolumeSpec("data", Map.of()));
        VolumeMount mount = newDriver(root).mount("data");
        Files.writeString(mount.mountpoint().resolve("file"), "12345");

        VolumeDriver reopened = newDriver(root);

        assertThat(reopened.inspect("data")).contains(created);
        assertThat(reopened.mount("data").mountpoint().resolve("file")).hasContent("12345");
        assertThat(reopened.usage("data")).isEqualTo(5);
    }

    @Test
    default void removeDeletesTheDataAndARepeatIsSafe(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        VolumeDriver driver = newDriver(base.resolve("root"));
        VolumeInfo created = driver.create(new VolumeSpec("data", Map.of()));
        Files.createDirectories(created.mountpoint().resolve("deep/tree"));
        Files.writeString(created.mountpoint().resolve("deep/tree/file"), "x");

        driver.remove("data");
        driver.remove("data");

        assertThat(driver.inspect("data")).isEmpty();
        assertThat(driver.list()).isEmpty();
        assertThat(created.mountpoint()).doesNotExist();
        assertThat(driver.create(new VolumeSpec("data", Map.of())).mountpoint().resolve("deep")).doesNotExist();
    }

    @Test
    default void aMountedVolumeIsInUseAndKeepsItsData(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        VolumeDriver driver = newDriver(base.resolve("root"));
        VolumeInfo created = driver.create(new VolumeSpec("data", Map.of()));
        Files.writeString(created.mountpoint().resolve("file"), "precious");
        Path shared = Files.createDirectories(base.resolve("shared"));
        Files.writeString(shared.resolve("theirs"), "not the volume's");
        // A user of the volume: something mounted at its mountpoint, as the host does for a tmpfs volume.
        Mounts.mount(new MountSpec("none", shared.toString(), List.of("bind")), created.mountpoint());
        try {
            assertKind(() -> driver.remove("data"), DriverException.Kind.IN_USE);
            assertThat(shared.resolve("theirs")).hasContent("not the volume's");
        } finally {
            Mounts.unmount(created.mountpoint());
        }
        assertThat(driver.inspect("data")).isPresent();
        assertThat(created.mountpoint().resolve("file")).hasContent("precious");
    }

    @Test
    default void concurrentCreatesOfOneNameMakeOneVolume(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        VolumeDriver driver = newDriver(base.resolve("root"));
        ExecutorService pool = Executors.newFixedThreadPool(4);
        try {
            List<Future<VolumeInfo>> results = new java.util.ArrayList<>();
            for (int i = 0; i < 8; i++) {
                results.add(pool.submit(() -> driver.create(new VolumeSpec("shared", Map.of()))));
            }
            VolumeInfo first = results.get(0).get();
            for (Future<VolumeInfo> result : results) {
                assertThat(result.get()).isEqualTo(first);
            }
        } finally {
            pool.shutdownNow();
        }
        assertThat(driver.list()).hasSize(1);
    }
}
