package dev.tallyman.images.store;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.config.ImageConfigCodec;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.InputStream;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/**
 * Images as this host keeps them: a config blob in the {@link ContentStore} (its digest is the image id) and
 * one storage-driver layer per diff id, named by chain id ({@link ChainIds#layerId}). Every layer also keeps
 * its uncompressed tar in the content store under its diff id, so that save and push give back the exact bytes
 * the diff id was computed from (a driver cannot rebuild them: times, order and padding are lost on apply).
 * Which images exist and which names point at them is the projections' business; this class only reads and
 * removes what an id names.
 */
public final class ImageStore {
    private final ContentStore content;
    private final StorageDriver driver;

    public ImageStore(ContentStore content, StorageDriver driver) {
        this.content = content;
        this.driver = driver;
    }

    public ContentStore content() {
        return content;
    }

    public StorageDriver driver() {
        return driver;
    }

    /** Stores the config's canonical JSON and returns the image id; storing an existing config is a no-op. */
    public Digest put(ImageConfig config) {
        return content.put(ImageConfigCodec.encode(config));
    }

    /**
     * Stores config bytes as they came (pull, load), after checking they decode, and returns the image id:
     * the id of a received image is the digest of its exact bytes, never of a re-encoding.
     */
    public Digest putBytes(byte[] configJson) {
        ImageConfigCodec.decode(configJson);
        return content.put(configJson);
    }

    /**
     * Keeps a layer's uncompressed tar under its diff id, reading the stream to its end (not closing it);
     * bytes with another digest fail with INVALID_PARAMETER and leave nothing. Keeping a held tar is a no-op.
     */
    public Digest putLayerTar(InputStream tar, Digest diffId) {
        return content.put(tar, diffId);
    }

    /**
     * Keeps a layer tar already spooled to {@code file}, moving the file into the content store (see
     * {@link ContentStore#adopt}); the file is gone afterwards. Another digest: INVALID_PARAMETER.
     */
    public Digest putLayerTar(Path file, Digest diffId) {
        return content.adopt(file, diffId);
    }

    /** Whether the uncompressed tar of the layer with this diff id is kept. */
    public boolean hasLayerTar(Digest diffId) {
        return content.exists(diffId);
    }

    /**
     * Opens the uncompressed tar of the layer with this diff id, byte for byte as it was received or made;
     * the caller closes it. Not kept: SYSTEM {@code layer tar sha256:...: not kept}, since every layer
     * must have one.
     */
    public InputStream layerTar(Digest diffId) {
        if (!content.exists(diffId)) {
            throw new ImageException(ImageException.Kind.SYSTEM, "layer tar " + diffId + ": not kept in the content store");
        }
        return content.open(diffId);
    }

    /** Whether the image's config blob is held. */
    public boolean exists(Digest imageId) {
        return content.exists(imageId);
    }

    /** The exact config bytes; absent: NOT_FOUND {@code No such image: sha256:...}. */
    public byte[] configBytes(Digest imageId) {
        if (!content.exists(imageId)) {
            throw noSuchImage(imageId);
        }
        return content.read(imageId);
    }

    /** The decoded config; absent: NOT_FOUND. */
    public ImageConfig config(Digest imageId) {
        return ImageConfigCodec.decode(configBytes(imageId));
    }

    /** The driver's layer ids of the image, base first; empty for an image without layers. */
    public List<LayerId> layers(Digest imageId) {
        return ChainIds.layerIds(config(imageId).diffIds());
    }

    /** The layer a container of this image is stacked on; empty for an image without layers. */
    public Optional<LayerId> topLayer(Digest imageId) {
        List<LayerId> layers = layers(imageId);
        return layers.isEmpty() ? Optional.empty() : Optional.of(layers.get(layers.size() - 1));
    }

    /** Bytes all the image's layers take, as {@code docker images} shows under SIZE; a missing layer: SYSTEM. */
    public long size(Digest imageId) {
        long total = 0;
        for (LayerId layer : layers(imageId)) {
            total += driver.inspect(layer)
                    .map(LayerInfo::sizeBytes)
                    .orElseThrow(() -> new ImageException(ImageException.Kind.SYSTEM,
                            "size image " + imageId + ": layer " + layer + " is missing from " + driver.name()));
        }
        return total;
    }

    /**
     * Removes the image: its config blob, then its layers from the top down as far as no other image uses them
     * ({@code stillUsedByOthers}: the layers of every other image, which the caller knows from its projections).
     * Before removing anything it checks that no other driver layer sits on a layer to be removed, and fails
     * with CONFLICT if one does. The config goes first so that a crash can leave unused layers but never an
     * image with missing layers. Then the kept tar of each removed layer goes too, unless a driver layer that
     * stays was made from the same diff id (the same tar can sit at another place in another image's stack).
     * Absent image: NOT_FOUND.
     *
     * @return the layers removed, top first (Docker prints each as {@code Deleted: sha256:<chain id>})
     */
    public List<LayerId> delete(Digest imageId, Set<LayerId> stillUsedByOthers) {
        List<Digest> diffIds = config(imageId).diffIds();
        List<LayerId> layers = ChainIds.layerIds(diffIds);
        List<LayerId> doomed = new ArrayList<>();
        for (int i = layers.size() - 1; i >= 0 && !stillUsedByOthers.contains(layers.get(i)); i--) {
            doomed.add(layers.get(i));
        }
        refuseIfStacked(imageId, doomed);
        content.delete(imageId);
        List<LayerId> removed = new ArrayList<>();
        for (LayerId layer : doomed) {
            if (driver.inspect(layer).isPresent()) {
                driver.remove(layer);
                removed.add(layer);
            }
        }
        deleteUnusedLayerTars(diffIds, layers, doomed);
        return List.copyOf(removed);
    }

    private void deleteUnusedLayerTars(List<Digest> diffIds, List<LayerId> layers, List<LayerId> doomed) {
        Set<String> doomedDiffIds = new HashSet<>();
        for (int i = 0; i < layers.size(); i++) {
            if (doomed.contains(layers.get(i))) {
                doomedDiffIds.add(diffIds.get(i).toString());
            }
        }
        if (doomedDiffIds.isEmpty()) {
            return;
        }
        for (LayerId layer : driver.list()) {
            driver.inspect(layer).flatMap(LayerInfo::diffId).ifPresent(doomedDiffIds::remove);
        }
        for (String diffId : doomedDiffIds) {
            content.delete(Digest.parse(diffId));
        }
    }

    private void refuseIfStacked(Digest imageId, List<LayerId> doomed) {
        Set<LayerId> doomedSet = new HashSet<>(doomed);
        for (LayerId layer : driver.list()) {
            if (doomedSet.contains(layer)) {
                continue;
            }
            Optional<LayerId> parent = driver.inspect(layer).flatMap(LayerInfo::parent);
            if (parent.isPresent() && doomedSet.contains(parent.get())) {
                throw new ImageException(ImageException.Kind.CONFLICT, "delete image " + imageId + ": layer "
                        + parent.get() + " is still the parent of layer " + layer);
            }
        }
    }

    private static ImageException noSuchImage(Digest imageId) {
        return new ImageException(ImageException.Kind.NOT_FOUND, "No such image: " + imageId);
    }
}
