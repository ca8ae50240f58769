package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ConfigChanges;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.ImageConfigCodec;
import dev.tallyman.images.config.Platform;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.List;
import java.util.Optional;

/**
 * {@code docker import}: makes a one-layer image from a root filesystem tar (plain, gzip, bzip2 or xz).
 *
 * <p>The layer's name in the driver is its chain id, which is only known once the whole tar is read, and the
 * driver cannot rename; so the uncompressed tar is first spooled to a scratch file while it is hashed and its
 * headers checked, and only then applied. The spooled tar is then kept in the content store under its diff id
 * (see {@link ImageStore#layerTar}). An identical layer already in the driver is reused. A failure removes the
 * layer, the tar and the config blob this call made, and nothing it did not make.
 */
public final class ImageImporter {
    private final ImageStore images;
    private final StorageDriver driver;
    private final Path scratch;
    private final Clock clock;
    private final Platform platform;

    /**
     * @param scratch a folder for spooled tars, on a file system with room for the largest layer
     * @param clock   gives the image's creation time
     */
    public ImageImporter(ImageStore images, StorageDriver driver, Path scratch, Clock clock) {
        this.images = images;
        this.driver = driver;
        this.scratch = scratch;
        this.clock = clock;
        this.platform = Platform.host();
    }

    /**
     * Imports a root filesystem.
     *
     * @param rootfs  the tar stream, compressed or not; read to its end, not closed
     * @param changes Dockerfile instructions applied to an empty config ({@code -c}); see {@link ConfigChanges}
     * @param message the commit message ({@code -m}), kept as the config's comment and its history entry's comment
     * @throws ImageException INVALID_PARAMETER for a bad change or a stream that is not a tar
     *                        ({@code archive/tar: invalid tar header}, {@code unexpected EOF})
     */
    public ImportedImage importImage(InputStream rootfs, List<String> changes, String message) {
        ContainerConfig containerConfig = ConfigChanges.apply(ContainerConfig.EMPTY, changes);
        Path spool = createSpool();
        try {
            TarSpool.Result tar = spoolTar(rootfs, spool);
            return store(spool, tar.diffId(), containerConfig, message == null ? "" : message);
        } finally {
            deleteSpool(spool);
        }
    }

    private ImportedImage store(Path spool, Digest diffId, ContainerConfig containerConfig, String message) {
        List<Digest> diffIds = List.of(diffId);
        LayerId layer = ChainIds.layerId(ChainIds.of(diffIds).get(0));
        boolean madeLayer = applyUnlessPresent(layer, spool);
        Digest imageId = null;
        boolean madeBlob = false;
        boolean madeTar = false;
        try {
            madeTar = !images.hasLayerTar(diffId);
            images.putLayerTar(spool, diffId);
            Instant created = clock.instant();
            ImageConfig config = new ImageConfig(platform.architecture(), platform.os(), Optional.of(created), "",
                    message, containerConfig, diffIds,
                    List.of(new HistoryEntry(Optional.of(created), "", message, "", false)));
            byte[] json = ImageConfigCodec.encode(config);
            imageId = Digest.sha256(json);
            madeBlob = !images.exists(imageId);
            images.content().put(json);
            long size = driver.inspect(layer)
                    .map(LayerInfo::sizeBytes)
                    .orElseThrow(() -> new ImageException(ImageException.Kind.SYSTEM,
                            "import image: layer " + layer + " vanished from " + driver.name()));
            return new ImportedImage(imageId, diffIds, List.of(layer), size, created, config);
        } catch (RuntimeException e) {
            undo(e, madeLayer ? layer : null, madeBlob ? imageId : null, madeTar ? diffId : null);
            throw e;
        }
    }

    private boolean applyUnlessPresent(LayerId layer, Path spool) {
        if (driver.inspect(layer).isPresent()) {
            return false;
        }
        try (InputStream tar = Files.newInputStream(spool)) {
            driver.applyLayer(layer, Optional.empty(), tar);
            return true;
        } catch (DriverException e) {
            if (e.kind() == DriverException.Kind.ALREADY_EXISTS) {
                return false; // another import of the same tar won the race; its layer is ours too
            }
            throw LayerFailures.apply("import image", layer, e);
        } catch (IOException e) {
            throw new UncheckedIOException("import image: read spooled layer " + spool + ": " + e.getMessage(), e);
        }
    }

    private void undo(RuntimeException failure, LayerId layer, Digest blob, Digest tar) {
        try {
            if (blob != null) {
                images.content().delete(blob);
            }
            if (layer != null) {
                driver.remove(layer);
            }
            if (tar != null) {
                images.content().delete(tar);
            }
        } catch (RuntimeException cleanup) {
            failure.addSuppressed(cleanup);
        }
    }

    private static TarSpool.Result spoolTar(InputStream rootfs, Path spool) {
        OutputStream file;
        try {
            file = Files.newOutputStream(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("import image: open spool " + spool + ": " + e.getMessage(), e);
        }
        try (file) {
            return TarSpool.copy(Compression.decompress(rootfs), file);
        } catch (IOException e) {
            throw ImageException.invalid(readFailure(e));
        }
    }

    // A broken compressed stream is the user's input, not our fault: report it as Go's readers would.
    private static String readFailure(IOException e) {
        String text = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        if (e instanceof EOFException) {
            return TarSpool.UNEXPECTED_EOF;
        }
        return "import image: read layer: " + text;
    }

    private Path createSpool() {
        try {
            Files.createDirectories(scratch);
            return Files.createTempFile(scratch, "import-", ".tar");
        } catch (IOException e) {
            throw new UncheckedIOException("import image: create spool in " + scratch + ": " + e.getMessage(), e);
        }
    }

    private static void deleteSpool(Path spool) {
        try {
            Files.deleteIfExists(spool);
        } catch (IOException e) {
            throw new UncheckedIOException("import image: remove spool " + spool + ": " + e.getMessage(), e);
        }
    }
}
