package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.ImageConfigCodec;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.EOFException;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * {@code docker load}: stores the images of a docker-archive, the layout {@code docker save} writes. Both
 * layouts Docker has written are read, since both carry a {@code manifest.json}: the classic one (Docker up to
 * 24: {@code <config hex>.json}, {@code <folder>/layer.tar}) and the OCI-shaped one of Docker 25 and later,
 * whose manifest.json points into {@code blobs/sha256/}. The archive may be gzip, bzip2 or xz compressed, and so
 * may each layer inside it.
 *
 * <p>Every layer is checked against the config's {@code rootfs.diff_ids} before it is used, kept in the content
 * store under its diff id and applied by the driver as the layer of its chain id (an existing one is reused
 * without reading the archive's copy). The config is stored byte for byte, so the image id is Docker's.
 * Everything is checked that can be before anything is stored; after that a failure takes back every blob,
 * layer tar and driver layer this call made, whichever image of the archive it belonged to.
 */
public final class ImageLoader {
    private static final String OPERATION = "load image";
    /** Manifests and configs are kilobytes; a bigger one is an attack on memory, not an image. */
    private static final long MAX_JSON_BYTES = 16L << 20;
    private static final long PROGRESS_STEP = 1L << 20;

    private final ImageStore images;
    private final StorageDriver driver;
    private final Path scratch;

    /**
     * @param scratch a folder for the spooled archive, on a file system with room for it (best the content
     *                store's, so that layer tars are moved into it rather than copied)
     */
    public ImageLoader(ImageStore images, Path scratch) {
        this.images = images;
        this.driver = images.driver();
        this.scratch = scratch;
    }

    /** One image of the archive, checked and ready to store. */
    private record Planned(byte[] configJson, ImageConfig config, List<String> layerFiles, List<ImageReference> tags) {
    }

    /**
     * Loads every image of the archive, in manifest order.
     *
     * @param archive  the archive stream, read to its end, not closed
     * @param progress hears about each layer read; {@link LoadProgress#NONE} when nobody listens
     * @return what was stored, one entry per manifest entry; tags are returned, not applied
     * @throws ImageException INVALID_PARAMETER for an archive that is not a tar or lacks manifest.json, a config
     *                        or layer it names, a bad tag, a layer count that differs from the config's, a
     *                        layer whose sha256 is not its diff id ({@code invalid diffID for layer N: expected
     *                        "sha256:…", got "sha256:…"}) or a layer tar the driver refuses (leading outside
     *                        the layer); nothing this call stored remains
     */
    public List<LoadedImage> load(InputStream archive, LoadProgress progress) {
        LoadProgress listener = progress == null ? LoadProgress.NONE : progress;
        Path folder = Spool.folder(scratch, OPERATION, "load-");
        Rollback rollback = new Rollback(images, driver);
        try (ArchiveFiles files = ArchiveFiles.read(archive, folder)) {
            List<Planned> planned = plan(files);
            List<LoadedImage> loaded = new ArrayList<>();
            for (Planned image : planned) {
                loaded.add(store(image, files, folder, rollback, listener));
            }
            return List.copyOf(loaded);
        } catch (RuntimeException | Error e) {
            rollback.undo(e);
            Spool.delete(folder, OPERATION, e);
            throw e;
        }
    }

    private List<Planned> plan(ArchiveFiles files) {
        List<ArchiveManifest.Entry> entries = ArchiveManifest.decode(files.read(ArchiveManifest.MANIFEST, MAX_JSON_BYTES));
        List<Planned> planned = new ArrayList<>();
        for (ArchiveManifest.Entry entry : entries) {
            byte[] json = files.read(entry.config(), MAX_JSON_BYTES);
            ImageConfig config = ImageConfigCodec.decode(json);
            if (!config.os().isEmpty() && !config.os().equals("linux")) {
                throw ImageException.invalid("cannot load " + config.os() + " image on linux");
            }
            List<String> layers = entry.layers() == null ? List.of() : entry.layers();
            if (layers.size() != config.diffIds().size()) {
                throw ImageException.invalid("invalid manifest, layers length mismatch: expected " + layers.size()
                        + ", got " + config.diffIds().size());
            }
            for (String layer : layers) {
                if (layer == null || !files.has(layer)) {
                    throw ImageException.invalid("open " + layer + ": no such file in image archive");
                }
            }
            planned.add(new Planned(json, config, layers, tags(entry.repoTags())));
        }
        return planned;
    }

    // Docker accepts only name:tag references here; a digest or a bare name is "invalid tag".
    private static List<ImageReference> tags(List<String> repoTags) {
        if (repoTags == null) {
            return List.of();
        }
        List<ImageReference> tags = new ArrayList<>();
        for (String text : repoTags) {
            ImageReference ref = ImageReference.parseWithoutDefaultTag(text);
            if (ref.tag().isEmpty() || ref.digest().isPresent()) {
                throw ImageException.invalid("invalid tag \"" + text + "\"");
            }
            tags.add(ref);
        }
        return tags;
    }

    private LoadedImage store(Planned image, ArchiveFiles files, Path folder, Rollback rollback, LoadProgress progress) {
        List<Digest> diffIds = image.config().diffIds();
        List<Digest> chainIds = ChainIds.of(diffIds);
        List<LayerId> layers = new ArrayList<>();
        Optional<LayerId> parent = Optional.empty();
        long size = 0;
        for (int i = 0; i < diffIds.size(); i++) {
            Digest diffId = diffIds.get(i);
            LayerId layer = ChainIds.layerId(chainIds.get(i));
            if (driver.inspect(layer).isEmpty() || !images.hasLayerTar(diffId)) {
                Path file = files.file(image.layerFiles().get(i)).orElseThrow();
                Path spool = Spool.file(folder, OPERATION, "layer-");
                Digest actual = spoolLayer(file, spool, chainIds.get(i), progress);
                if (!actual.equals(diffId)) {
                    throw ImageException.invalid("invalid diffID for layer " + i + ": expected \"" + diffId
                            + "\", got \"" + actual + "\"");
                }
                rollback.keepLayerTar(spool, diffId);
            }
            rollback.applyUnlessPresent(OPERATION, layer, parent, diffId);
            size += driver.inspect(layer).map(LayerInfo::sizeBytes).orElseThrow(() -> new ImageException(
                    ImageException.Kind.SYSTEM, OPERATION + ": layer " + layer + " vanished from " + driver.name()));
            layers.add(layer);
            parent = Optional.of(layer);
        }
        Digest imageId = rollback.keepConfig(image.configJson());
        return new LoadedImage(imageId, diffIds, layers, size, image.config().created(), image.config(), image.tags());
    }

    /** Decompresses the layer file into {@code spool}, checking it is a whole tar; returns its diff id. */
    private static Digest spoolLayer(Path file, Path spool, Digest chainId, LoadProgress progress) {
        try (InputStream raw = new Progress(Files.newInputStream(file), Files.size(file), chainId, progress);
             OutputStream out = Files.newOutputStream(spool)) {
            return TarSpool.copy(Compression.decompress(raw), out).diffId();
        } catch (EOFException e) {
            throw ImageException.invalid(TarSpool.UNEXPECTED_EOF);
        } catch (IOException e) {
            throw new UncheckedIOException(OPERATION + ": spool layer " + file + ": " + e.getMessage(), e);
        }
    }

    /** Counts the bytes read from a layer file and reports them every megabyte and at the end. */
    private static final class Progress extends FilterInputStream {
        private final long total;
        private final Digest chainId;
        private final LoadProgress listener;
        private long read;
        private long reported = -1;

        Progress(InputStream in, long total, Digest chainId, LoadProgress listener) {
            super(in);
            this.total = total;
            this.chainId = chainId;
            this.listener = listener;
            report();
        }

        @Override
        public int read() throws IOException {
            int b = super.read();
            count(b < 0 ? -1 : 1);
            return b;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n = super.read(b, off, len);
            count(n);
            return n;
        }

        private void count(int n) {
            if (n > 0) {
                read += n;
            }
            if (read - reported >= PROGRESS_STEP || (n < 0 && reported != read) || read == total && reported != read) {
                report();
            }
        }

        private void report() {
            reported = read;
            listener.layer(chainId, read, total);
        }
    }
}
