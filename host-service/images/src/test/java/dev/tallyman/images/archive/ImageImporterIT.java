package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.fixtures.FolderStorageDriver;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ContentStore;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.LayerId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/** {@code docker import} of a real busybox root filesystem, through a storage driver that really extracts. */
class ImageImporterIT {
    private static final Instant NOW = Instant.parse("2026-11-25T10:00:00.5Z");

    @TempDir
    static Path fixtures;
    static Path busyboxTar;
    static Digest busyboxDiffId;

    @TempDir
    Path root;
    FolderStorageDriver driver;
    ContentStore content;
    ImageStore images;

    @BeforeAll
    static void writeRootfs() throws IOException {
        busyboxTar = BusyboxRootfs.writeTar(fixtures.resolve("busybox.tar"));
        busyboxDiffId = Digest.sha256(Files.readAllBytes(busyboxTar));
    }

    @BeforeEach
    void stores() {
        driver = new FolderStorageDriver(root.resolve("layers"));
        content = new ContentStore(root.resolve("content"));
        images = new ImageStore(content, driver);
    }

    private ImageImporter importer(Instant now) {
        return new ImageImporter(images, driver, root.resolve("scratch"), Clock.fixed(now, ZoneOffset.UTC));
    }

    private ImportedImage importFile(Path tar, List<String> changes, String message, Instant now) throws IOException {
        try (InputStream in = Files.newInputStream(tar)) {
            return importer(now).importImage(in, changes, message);
        }
    }

    @Test
    void importsABusyboxRootfsIntoOneLayerAndAConfigBlob() throws IOException {
        ImportedImage image = importFile(busyboxTar, List.of("CMD [\"sh\"]", "ENV PATH=/bin"), "from a test", NOW);

        LayerId layer = LayerId.of(busyboxDiffId.hex());
        assertThat(image.diffIds()).containsExactly(busyboxDiffId);
        assertThat(image.layers()).containsExactly(layer);
        assertThat(image.created()).isEqualTo(NOW);
        assertThat(image.imageId()).isEqualTo(Digest.sha256(content.read(image.imageId())));
        assertThat(image.sizeBytes()).isGreaterThanOrEqualTo(Files.size(BusyboxRootfs.BUSYBOX));

        assertThat(driver.list()).containsExactly(layer);
        assertThat(driver.inspect(layer).orElseThrow().diffId()).contains(busyboxDiffId.toString());
        assertThat(driver.files(layer).resolve("bin/busybox")).hasSize(Files.size(BusyboxRootfs.BUSYBOX));
        assertThat(Files.readSymbolicLink(driver.files(layer).resolve("bin/sh"))).isEqualTo(Path.of("busybox"));

        ImageConfig stored = images.config(image.imageId());
        assertThat(stored).isEqualTo(image.config());
        assertThat(stored.os()).isEqualTo("linux");
        assertThat(stored.architecture()).isEqualTo("amd64");
        assertThat(stored.created()).contains(NOW);
        assertThat(stored.comment()).isEqualTo("from a test");
        assertThat(stored.config().cmd()).containsExactly("sh");
        assertThat(stored.config().env()).containsExactly("PATH=/bin");
        assertThat(stored.history()).hasSize(1);
        assertThat(stored.history().get(0).comment()).isEqualTo("from a test");
        assertThat(stored.history().get(0).emptyLayer()).isFalse();
        assertThat(images.layers(image.imageId())).containsExactly(layer);
        assertThat(images.size(image.imageId())).isEqualTo(image.sizeBytes());
        assertThat(root.resolve("scratch")).isEmptyDirectory();
        try (InputStream kept = images.layerTar(busyboxDiffId)) {
            assertThat(kept.readAllBytes()).isEqualTo(Files.readAllBytes(busyboxTar));
        }
    }

    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    record Compressed(String name, Compressor compressor) {
        @Override
        public String toString() {
            return name;
        }
    }

    static Stream<Compressed> compressions() {
        return Stream.of(new Compressed("gzip", GzipCompressorOutputStream::new),
                new Compressed("bzip2", BZip2CompressorOutputStream::new),
                new Compressed("xz", XZCompressorOutputStream::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("compressions")
    void aCompressedTarGivesTheSameImageAsThePlainOne(Compressed c) throws IOException {
        Path compressed = root.resolve("busybox.tar." + c.name());
        try (OutputStream out = c.compressor().wrap(Files.newOutputStream(compressed))) {
            Files.copy(busyboxTar, out);
        }

        ImportedImage plain = importFile(busyboxTar, List.of(), "", NOW);
        ImportedImage fromCompressed = importFile(compressed, List.of(), "", NOW);

        assertThat(fromCompressed.imageId()).isEqualTo(plain.imageId());
        assertThat(fromCompressed.diffIds()).containsExactly(busyboxDiffId);
        assertThat(driver.list()).hasSize(1);
    }

    @Test
    void theIdIsStableForTheSameInputAndClockAndChangesWithTheClock() throws IOException {
        ImportedImage first = importFile(busyboxTar, List.of("USER nobody"), "m", NOW);
        ImportedImage again = importFile(busyboxTar, List.of("USER nobody"), "m", NOW);
        ImportedImage later = importFile(busyboxTar, List.of("USER nobody"), "m", NOW.plusSeconds(1));

        assertThat(again.imageId()).isEqualTo(first.imageId());
        assertThat(later.imageId()).isNotEqualTo(first.imageId());
        assertThat(later.layers()).isEqualTo(first.layers());
        assertThat(content.list()).containsExactlyInAnyOrder(first.imageId(), later.imageId(), busyboxDiffId);
    }

    @Test
    void twoImagesOfOneRootfsShareTheLayerUntilBothAreDeleted() throws IOException {
        ImportedImage web = importFile(busyboxTar, List.of("CMD [\"httpd\", \"-f\"]"), "", NOW);
        ImportedImage shell = importFile(busyboxTar, List.of("CMD [\"sh\"]"), "", NOW);

        assertThat(web.imageId()).isNotEqualTo(shell.imageId());
        assertThat(web.layers()).isEqualTo(shell.layers());
        assertThat(driver.list()).hasSize(1);

        List<LayerId> removedWithWeb = images.delete(web.imageId(), Set.copyOf(images.layers(shell.imageId())));

        assertThat(removedWithWeb).isEmpty();
        assertThat(images.exists(web.imageId())).isFalse();
        assertThat(images.hasLayerTar(busyboxDiffId)).isTrue();
        assertThat(driver.list()).containsExactlyElementsOf(shell.layers());

        List<LayerId> removedWithShell = images.delete(shell.imageId(), Set.of());

        assertThat(removedWithShell).isEqualTo(shell.layers());
        assertThat(driver.list()).isEmpty();
        assertThat(content.list()).isEmpty();
    }

    @Test
    void differentRootfsesGetDifferentLayers() throws IOException {
        Path other = BusyboxRootfs.writeTar(root.resolve("other.tar"), Map.of("etc/motd", "hi\n"));

        ImportedImage a = importFile(busyboxTar, List.of(), "", NOW);
        ImportedImage b = importFile(other, List.of(), "", NOW);

        assertThat(a.layers()).doesNotContainAnyElementsOf(b.layers());
        assertThat(driver.files(b.layers().get(0)).resolve("etc/motd")).hasContent("hi");
    }

    record Corrupt(String description, byte[] bytes, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Corrupt> corrupt() throws IOException {
        byte[] tar = Files.readAllBytes(busyboxTar);
        byte[] text = "this is not a tar archive\n".repeat(100).getBytes();
        byte[] badHeader = Arrays.copyOf(tar, tar.length);
        badHeader[0] ^= 0x20;
        java.io.ByteArrayOutputStream gz = new java.io.ByteArrayOutputStream();
        try (OutputStream out = new GzipCompressorOutputStream(gz)) {
            out.write(tar, 0, tar.length / 2);
        }
        byte[] brokenGzip = Arrays.copyOf(gz.toByteArray(), gz.size() / 2);
        return Stream.of(
                new Corrupt("text", text, "archive/tar: invalid tar header"),
                new Corrupt("tar with a damaged header", badHeader, "archive/tar: invalid tar header"),
                new Corrupt("tar cut in the middle", Arrays.copyOf(tar, tar.length / 2), "unexpected EOF"),
                new Corrupt("gzip of half a tar", gz.toByteArray(), "unexpected EOF"),
                new Corrupt("gzip cut in the middle", brokenGzip, "unexpected EOF"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("corrupt")
    void aCorruptTarLeavesNoLayerAndNoBlob(Corrupt c) throws IOException {
        Path file = root.resolve("corrupt");
        Files.write(file, c.bytes());

        assertThatThrownBy(() -> importFile(file, List.of(), "", NOW))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage(c.message());
        assertThat(driver.list()).isEmpty();
        assertThat(content.list()).isEmpty();
        assertThat(root.resolve("scratch")).isEmptyDirectory();
    }

    @Test
    void importsTheTarOfTheOpsScript() throws IOException, InterruptedException {
        Path script = Path.of("../../ops/lib/busybox-rootfs").toAbsolutePath().normalize();
        Path tar = root.resolve("ops-busybox.tar");
        Process build = new ProcessBuilder(script.toString(), tar.toString()).inheritIO().start();
        assertThat(build.waitFor()).isZero();

        ImportedImage image = importFile(tar, List.of("CMD [\"sh\"]"), "", NOW);

        Path files = driver.files(image.layers().get(0));
        assertThat(files.resolve("bin/busybox")).hasSize(Files.size(BusyboxRootfs.BUSYBOX));
        assertThat(Files.readSymbolicLink(files.resolve("bin/echo"))).isEqualTo(Path.of("busybox"));
        assertThat(files.resolve("etc/passwd")).content().startsWith("root:x:0:0:");
        assertThat(files.resolve("proc")).isDirectory();
    }

    @Test
    void aBadChangeRefusesBeforeAnythingIsMade() {
        assertThatThrownBy(() -> importFile(busyboxTar, List.of("RUN rm -rf /"), "", NOW))
                .isInstanceOf(ImageException.class)
                .hasMessage("RUN is not a valid change command");
        assertThat(driver.list()).isEmpty();
        assertThat(content.list()).isEmpty();
    }

    @Test
    void anExistingLayerIsReusedNotReapplied() throws IOException {
        LayerId layer = ChainIds.layerId(busyboxDiffId);
        try (InputStream in = Files.newInputStream(busyboxTar)) {
            driver.applyLayer(layer, Optional.empty(), in);
        }
        Path marker = driver.files(layer).resolve("marker");
        Files.writeString(marker, "applied before");

        ImportedImage image = importFile(busyboxTar, List.of(), "", NOW);

        assertThat(image.layers()).containsExactly(layer);
        assertThat(marker).hasContent("applied before");
    }
}
