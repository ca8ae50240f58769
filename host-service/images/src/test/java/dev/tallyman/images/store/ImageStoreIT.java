package dev.tallyman.images.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.ImageImporter;
import dev.tallyman.images.archive.ImportedImage;
import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.fixtures.FolderStorageDriver;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ImageStoreIT {
    @TempDir
    Path root;
    FolderStorageDriver driver;
    ContentStore content;
    ImageStore images;
    ImportedImage busybox;

    @BeforeEach
    void importBusybox() throws IOException {
        driver = new FolderStorageDriver(root.resolve("layers"));
        content = new ContentStore(root.resolve("content"));
        images = new ImageStore(content, driver);
        Path tar = BusyboxRootfs.writeTar(root.resolve("busybox.tar"));
        try (InputStream in = Files.newInputStream(tar)) {
            busybox = new ImageImporter(images, driver, root.resolve("scratch"),
                    Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC))
                    .importImage(in, List.of("CMD [\"sh\"]"), "");
        }
    }

    @Test
    void answersConfigLayersTopLayerAndSize() {
        Digest id = busybox.imageId();

        assertThat(images.exists(id)).isTrue();
        assertThat(images.config(id).config().cmd()).containsExactly("sh");
        assertThat(images.configBytes(id)).isEqualTo(content.read(id));
        assertThat(images.layers(id)).isEqualTo(busybox.layers());
        assertThat(images.topLayer(id)).contains(busybox.layers().get(0));
        assertThat(images.size(id)).isEqualTo(driver.inspect(busybox.layers().get(0)).orElseThrow().sizeBytes());
    }

    @Test
    void anUnknownImageIsNotFoundInDockersWords() {
        Digest unknown = Digest.ofHex("0".repeat(64));

        assertThatThrownBy(() -> images.config(unknown))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND))
                .hasMessage("No such image: " + unknown);
        assertThatThrownBy(() -> images.delete(unknown, Set.of())).isInstanceOf(ImageException.class);
    }

    @Test
    void deleteRefusesWhileAnotherLayerSitsOnTopAndRemovesNothing() throws IOException {
        LayerId base = busybox.layers().get(0);
        LayerId child = LayerId.of("child-of-busybox");
        driver.applyLayer(child, Optional.of(base), new ByteArrayInputStream(smallTar()));

        assertThatThrownBy(() -> images.delete(busybox.imageId(), Set.of()))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.CONFLICT))
                .hasMessage("delete image " + busybox.imageId() + ": layer " + base + " is still the parent of layer " + child);
        assertThat(images.exists(busybox.imageId())).isTrue();
        assertThat(driver.list()).contains(base, child);

        driver.remove(child);
        assertThat(images.delete(busybox.imageId(), Set.of())).containsExactly(base);
        assertThat(driver.list()).isEmpty();
    }

    @Test
    void putBytesKeepsReceivedConfigsByteForByte() {
        byte[] received = ("{\"os\":\"linux\", \"architecture\":\"amd64\",  \"rootfs\":{\"type\":\"layers\",\"diff_ids\":[\""
                + busybox.diffIds().get(0) + "\"]}}").getBytes();

        Digest id = images.putBytes(received);

        assertThat(id).isEqualTo(Digest.sha256(received));
        assertThat(images.configBytes(id)).isEqualTo(received);
        assertThat(images.layers(id)).isEqualTo(busybox.layers());
    }

    private static byte[] smallTar() throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            TarArchiveEntry file = new TarArchiveEntry("hello");
            file.setSize(3);
            tar.putArchiveEntry(file);
            tar.write("hi\n".getBytes());
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }
}
