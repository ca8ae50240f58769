package dev.tallyman.volume.local;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.Drivers;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.storage.MountSpec;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import dev.tallyman.spi.testkit.VolumeDriverContract;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeInfo;
import dev.tallyman.spi.volume.VolumeMount;
import dev.tallyman.spi.volume.VolumeSpec;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalVolumeDriverIT implements VolumeDriverContract {

    @Override
    public VolumeDriver newDriver(Path root) {
        return new LocalVolumeDriver(new LocalVolumeConfig(root));
    }

    @Test
    void dataLivesUnderTheVolumesNameAsDockers(@TempDir(factory = LayerStorageDirs.class) Path base) {
        VolumeInfo info = newDriver(base.resolve("volumes")).create(new VolumeSpec("web-data", Map.of()));

        assertThat(info.mountpoint()).isEqualTo(base.resolve("volumes/web-data/_data"));
    }

    @Test
    void tmpfsVolumeIsDescribedAndReallyMountsWithItsSize(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        VolumeDriver driver = newDriver(base.resolve("volumes"));
        driver.create(new VolumeSpec("scratch", Map.of("type", "tmpfs", "device", "tmpfs", "o", "size=2m,uid=1000")));

        VolumeMount mount = driver.mount("scratch");

        assertThat(mount.mounts()).containsExactly(new MountSpec("tmpfs", "tmpfs", List.of("size=2m", "uid=1000")));
        Mounts.mount(mount.mounts(), mount.mountpoint());
        try {
            String line = Files.readAllLines(Path.of("/proc/self/mountinfo")).stream()
                    .filter(l -> l.split(" ")[4].equals(mount.mountpoint().toString())).findFirst().orElseThrow();
            assertThat(line).contains(" - tmpfs tmpfs ").contains("size=2048k").contains("uid=1000");
        } finally {
            Mounts.unmount(mount.mountpoint());
        }
    }

    @Test
    void bindBackedVolumeShowsTheHostFolder(@TempDir(factory = LayerStorageDirs.class) Path base) throws Exception {
        Path host = Files.createDirectories(base.resolve("host"));
        Files.writeString(host.resolve("hello"), "from the host");
        VolumeDriver driver = newDriver(base.resolve("volumes"));
        driver.create(new VolumeSpec("shared", Map.of("type", "none", "o", "bind", "device", host.toString())));

        VolumeMount mount = driver.mount("shared");
        Mounts.mount(mount.mounts(), mount.mountpoint());
        try {
            assertThat(mount.mountpoint().resolve("hello")).hasContent("from the host");
            assertThatThrownBy(() -> driver.remove("shared")).isInstanceOfSatisfying(DriverException.class,
                    e -> assertThat(e.kind()).isEqualTo(DriverException.Kind.IN_USE));
        } finally {
            Mounts.unmount(mount.mountpoint());
        }
        driver.remove("shared");
        assertThat(host.resolve("hello")).as("removing a bind-backed volume leaves the host folder").hasContent("from the host");
    }

    @Test
    void optionsAreCheckedWithDockersWords(@TempDir(factory = LayerStorageDirs.class) Path base) {
        VolumeDriver driver = newDriver(base.resolve("volumes"));

        assertThatThrownBy(() -> driver.create(new VolumeSpec("x1", Map.of("colour", "red"))))
                .hasMessageContaining("invalid option: \"colour\"");
        assertThatThrownBy(() -> driver.create(new VolumeSpec("x2", Map.of("type", "tmpfs"))))
                .hasMessageContaining("missing required option: \"device\"");
    }

    @Test
    void aRemovalCutShortIsFinishedAndAHalfCreatedVolumeIsForgotten(@TempDir(factory = LayerStorageDirs.class) Path base)
            throws Exception {
        Path root = base.resolve("volumes");
        newDriver(root);
        Files.createDirectories(root.resolve(".removing/gone-1/_data"));
        Files.createDirectories(root.resolve(".creating-half-2/_data"));

        VolumeDriver driver = newDriver(root);

        assertThat(driver.list()).isEmpty();
        assertThat(root.resolve(".removing/gone-1")).doesNotExist();
        assertThat(root.resolve(".creating-half-2")).doesNotExist();
    }

    @Test
    void providerIsFoundAsLocal(@TempDir(factory = LayerStorageDirs.class) Path base) {
        var provider = Drivers.volume(getClass().getClassLoader()).stream().filter(p -> p.name().equals("local")).findFirst();
        assertThat(provider).isPresent();
        assertThat(provider.get().probe(base.resolve("v"))).isEmpty();
    }
}
