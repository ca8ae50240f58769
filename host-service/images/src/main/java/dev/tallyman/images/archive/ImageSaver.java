package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.store.ImageStore;
import dev.tallyman.spi.archive.TarWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarConstants;

/**
 * {@code docker save}: writes images as a classic docker-archive, the layout every Docker version loads:
 * <pre>
 *   &lt;chain id hex&gt;/layer.tar    one folder per layer, base first; a tar already written is a symlink to it
 *   &lt;image id hex&gt;.json        each config, byte for byte
 *   manifest.json               [{"Config","RepoTags","Layers"}], one entry per image, in request order
 *   repositories                {"repo":{"tag":"&lt;top layer folder&gt;"}}, for loaders older than manifest.json
 * </pre>
 * Layer tars are the exact bytes kept under each diff id, so a loader's diff id check passes and the image id
 * stays. The output depends on its input only: fixed entry order, owners and times (the epoch).
 * Docker also writes a {@code json} and {@code VERSION} per layer folder for its pre-1.10 loader; every loader
 * that reads manifest.json ignores them, so they are left out.
 */
public final class ImageSaver {
    private static final String OPERATION = "save image";

    private final ImageStore images;

    public ImageSaver(ImageStore images) {
        this.images = images;
    }

    /** An image with its tags merged from every request naming it. */
    private record Planned(Digest imageId, byte[] config, List<Digest> diffIds, List<Digest> chainIds,
                           Set<ImageReference> tags) {
    }

    /**
     * Writes the archive of the requested images to {@code out} (not closed). An image requested twice is
     * written once with the tags of both requests. Everything is checked before the first byte is written,
     * so a missing image or layer tar fails with nothing sent.
     *
     * @throws ImageException NOT_FOUND for an unknown image ({@code No such image: sha256:…}), SYSTEM for an
     *                        image whose layer tar is not kept
     */
    public void save(List<SaveRequest> requests, OutputStream out) {
        List<Planned> planned = plan(requests);
        try (TarWriter tar = new TarWriter(out)) {
            Map<Digest, String> writtenTars = new HashMap<>();
            Map<Digest, String> folders = new HashMap<>();
            List<ArchiveManifest.Entry> manifest = new ArrayList<>();
            Map<String, Map<String, String>> repositories = new TreeMap<>();
            for (Planned image : planned) {
                List<String> layerFiles = new ArrayList<>();
                for (int i = 0; i < image.diffIds().size(); i++) {
                    String folder = image.chainIds().get(i).hex();
                    String file = folder + "/layer.tar";
                    if (folders.putIfAbsent(image.chainIds().get(i), folder) == null) {
                        writeLayer(tar, folder, image.diffIds().get(i), writtenTars);
                    }
                    layerFiles.add(file);
                }
                String configFile = image.imageId().hex() + ".json";
                writeFile(tar, configFile, image.config());
                List<String> repoTags = image.tags().isEmpty() ? null
                        : image.tags().stream().map(ImageReference::familiar).toList();
                manifest.add(new ArchiveManifest.Entry(configFile, repoTags, layerFiles));
                if (!image.chainIds().isEmpty()) {
                    String top = image.chainIds().get(image.chainIds().size() - 1).hex();
                    for (ImageReference tag : image.tags()) {
                        repositories.computeIfAbsent(tag.familiarName(), k -> new TreeMap<>()).put(tag.tag().orElseThrow(), top);
                    }
                }
            }
            writeFile(tar, ArchiveManifest.MANIFEST, ArchiveManifest.encode(manifest));
            if (!repositories.isEmpty()) {
                writeFile(tar, ArchiveManifest.REPOSITORIES, ArchiveManifest.encodeRepositories(repositories));
            }
        } catch (IOException e) {
            throw new UncheckedIOException(OPERATION + ": write archive: " + e.getMessage(), e);
        }
    }

    private List<Planned> plan(List<SaveRequest> requests) {
        Map<Digest, Set<ImageReference>> tagsById = new LinkedHashMap<>();
        for (SaveRequest request : requests) {
            tagsById.computeIfAbsent(request.imageId(), id -> new LinkedHashSet<>()).addAll(request.tags());
        }
        List<Planned> planned = new ArrayList<>();
        tagsById.forEach((id, tags) -> {
            for (ImageReference tag : tags) {
                if (tag.tag().isEmpty() || tag.digest().isPresent()) {
                    throw ImageException.invalid(OPERATION + " " + id + ": " + tag + " is not a name:tag reference");
                }
            }
            byte[] config = images.configBytes(id);
            List<Digest> diffIds = images.config(id).diffIds();
            for (Digest diffId : diffIds) {
                if (!images.hasLayerTar(diffId)) {
                    throw new ImageException(ImageException.Kind.SYSTEM, OPERATION + " " + id + ": layer tar "
                            + diffId + " is not kept in the content store");
                }
            }
            planned.add(new Planned(id, config, diffIds, ChainIds.of(diffIds), tags));
        });
        return planned;
    }

    // Docker writes a layer with the same diff id twice (another chain) as a symlink to the first copy.
    private void writeLayer(TarWriter tar, String folder, Digest diffId, Map<Digest, String> writtenTars)
            throws IOException {
        tar.put(TarWriter.fixedEntry(folder + "/", TarConstants.LF_DIR, 0755));
        String file = folder + "/layer.tar";
        String first = writtenTars.putIfAbsent(diffId, file);
        if (first != null) {
            TarArchiveEntry link = TarWriter.fixedEntry(file, TarConstants.LF_SYMLINK, 0777);
            link.setLinkName("../" + first);
            tar.put(link);
            return;
        }
        TarArchiveEntry layer = TarWriter.fixedEntry(file, TarConstants.LF_NORMAL, 0644);
        layer.setSize(images.content().size(diffId));
        tar.put(layer, () -> images.layerTar(diffId),
                () -> "layer tar " + diffId + " changed size while being written");
    }

    private static void writeFile(TarWriter tar, String name, byte[] content) throws IOException {
        tar.put(TarWriter.fixedEntry(name, TarConstants.LF_NORMAL, 0644), content);
    }
}
