package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ConfigChanges;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.ImageConfigCodec;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * {@code docker commit}: makes an image from a container. The new top layer is the driver's diff of the
 * container's writable layer (deletions as whiteouts), spooled, kept in the content store under its diff id
 * and applied as a new image layer over the parent image's top layer. The config is the parent's with the
 * container's config (when given) and the changes applied, the new diff id appended, and a history entry
 * carrying author and comment, so both show in inspect and history.
 *
 * <p>A container that changed nothing gives no layer: the history entry is marked empty, as Docker marks a
 * commit whose diff is the empty tar. A failure takes back the tar, layer and config this call made.
 */
public final class ImageCommitter {
    private static final String OPERATION = "commit container";

    private final ImageStore images;
    private final Path scratch;
    private final Clock clock;

    /**
     * @param scratch a folder for the spooled diff, best on the content store's file system
     * @param clock   gives the image's creation time
     */
    public ImageCommitter(ImageStore images, Path scratch, Clock clock) {
        this.images = images;
        this.scratch = scratch;
        this.clock = clock;
    }

    /**
     * Commits the container whose writable layer is {@code containerLayer}, created over the top layer of
     * {@code parentImageId}. The container should not be writing meanwhile (the caller pauses it for {@code -p}).
     *
     * @return the stored image; its {@code diffIds} and {@code layers} are the whole stack, base first
     * @throws ImageException NOT_FOUND for an unknown parent image or layer, INVALID_PARAMETER for a bad change
     *                        (checked before anything is made)
     */
    public ImportedImage commit(StorageDriver driver, LayerId containerLayer, Digest parentImageId, CommitOptions options) {
        ImageConfig parent = images.config(parentImageId);
        ContainerConfig base = options.containerConfig().orElse(parent.config());
        ContainerConfig config = ConfigChanges.apply(base, options.changes());
        String createdBy = String.join(" ", options.containerConfig().orElse(parent.config()).cmd());
        return commit(driver, containerLayer, parent, config, createdBy, options.author(), options.comment());
    }

    /**
     * A build step that changed files (RUN, COPY, ADD): the layer's diff over {@code parent} (the empty config
     * of {@link #SCRATCH} for {@code FROM scratch}) becomes the new top layer, {@code config} the image's config,
     * and {@code createdBy} the new history entry, as docker history shows it.
     */
    public ImportedImage commitBuildStep(StorageDriver driver, LayerId layer, ImageConfig parent, ContainerConfig config,
                                         String createdBy, String author) {
        return commit(driver, layer, parent, config, createdBy, author, "");
    }

    /** A build step that changed only the config (ENV, CMD, LABEL, …): a new image with the parent's layers. */
    public ImportedImage configStep(ImageConfig parent, ContainerConfig config, String createdBy, String author) {
        Instant created = clock.instant();
        List<HistoryEntry> history = new ArrayList<>(parent.history());
        history.add(new HistoryEntry(Optional.of(created), createdBy, "", "", true));
        ImageConfig image = new ImageConfig(parent.architecture(), parent.os(), Optional.of(created), author, "",
                config, parent.diffIds(), history);
        Digest imageId = images.put(image);
        return new ImportedImage(imageId, image.diffIds(), ChainIds.layerIds(image.diffIds()),
                sizeOf(images.driver(), ChainIds.layerIds(image.diffIds())), created, image);
    }

    /** What {@code FROM scratch} starts from: no layers, no history, an empty config. */
    public static final ImageConfig SCRATCH = new ImageConfig("amd64", "linux", Optional.empty(), "", "",
            ContainerConfig.EMPTY, List.of(), List.of());

    private ImportedImage commit(StorageDriver driver, LayerId containerLayer, ImageConfig parent, ContainerConfig config,
                                 String createdBy, String author, String comment) {
        if (driver.inspect(containerLayer).isEmpty()) {
            throw new ImageException(ImageException.Kind.NOT_FOUND, OPERATION + ": layer " + containerLayer
                    + " not found in " + driver.name());
        }
        Path spool = Spool.file(scratch, OPERATION, "commit-");
        Rollback rollback = new Rollback(images, driver);
        try {
            Digest diffId = spoolDiff(driver, containerLayer, spool);
            boolean emptyLayer = hasNoEntries(spool);
            List<Digest> diffIds = new ArrayList<>(parent.diffIds());
            if (!emptyLayer) {
                List<Digest> chain = ChainIds.of(parent.diffIds());
                Optional<LayerId> parentLayer = chain.isEmpty() ? Optional.empty()
                        : Optional.of(ChainIds.layerId(chain.get(chain.size() - 1)));
                Digest chainId = chain.isEmpty() ? diffId : ChainIds.next(chain.get(chain.size() - 1), diffId);
                rollback.keepLayerTar(spool, diffId);
                rollback.applyUnlessPresent(OPERATION, ChainIds.layerId(chainId), parentLayer, diffId);
                diffIds.add(diffId);
            }
            Instant created = clock.instant();
            List<HistoryEntry> history = new ArrayList<>(parent.history());
            history.add(new HistoryEntry(Optional.of(created), createdBy, comment, author, emptyLayer));
            ImageConfig image = new ImageConfig(parent.architecture(), parent.os(), Optional.of(created),
                    author, comment, config, diffIds, history);
            Digest imageId = rollback.keepConfig(ImageConfigCodec.encode(image));
            List<LayerId> layers = ChainIds.layerIds(diffIds);
            return new ImportedImage(imageId, diffIds, layers, sizeOf(driver, layers), created, image);
        } catch (RuntimeException | Error e) {
            rollback.undo(e);
            throw e;
        } finally {
            Spool.delete(spool, OPERATION, null);
        }
    }

    private static long sizeOf(StorageDriver driver, List<LayerId> layers) {
        long size = 0;
        for (LayerId layer : layers) {
            size += driver.inspect(layer).map(LayerInfo::sizeBytes).orElseThrow(() -> new ImageException(
                    ImageException.Kind.SYSTEM, OPERATION + ": layer " + layer + " is missing from " + driver.name()));
        }
        return size;
    }

    /** Writes the driver's diff of the layer to {@code spool}, hashing it on the way: its diff id. */
    private static Digest spoolDiff(StorageDriver driver, LayerId layer, Path spool) {
        MessageDigest sha = Digest.newSha256();
        try (OutputStream out = new DigestOutputStream(Files.newOutputStream(spool), sha)) {
            driver.diff(layer, out);
        } catch (DriverException e) {
            throw new ImageException(ImageException.Kind.SYSTEM, OPERATION + ": diff layer " + layer + ": "
                    + e.getMessage(), e);
        } catch (IOException e) {
            throw new UncheckedIOException(OPERATION + ": spool diff of " + layer + ": " + e.getMessage(), e);
        }
        return Digest.fromBytes(sha.digest());
    }

    private static boolean hasNoEntries(Path tar) {
        try (TarArchiveInputStream entries = new TarArchiveInputStream(Files.newInputStream(tar))) {
            return entries.getNextEntry() == null;
        } catch (IOException e) {
            throw new UncheckedIOException(OPERATION + ": read spooled diff " + tar + ": " + e.getMessage(), e);
        }
    }
}
