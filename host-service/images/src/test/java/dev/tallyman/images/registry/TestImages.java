package dev.tallyman.images.registry;

import dev.tallyman.images.config.ChainIds;
import dev.tallyman.images.config.ContainerConfig;
import dev.tallyman.images.config.HistoryEntry;
import dev.tallyman.images.config.ImageConfig;
import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.spi.storage.LayerId;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * Images made locally the way import and build leave them: each layer's uncompressed tar kept under its diff
 * id in the content store and applied in the driver under its chain id, then the config stored.
 */
final class TestImages {
    private static final Instant CREATED = Instant.parse("2026-11-25T10:00:00Z");

    private TestImages() {
    }

    /** A one-layer busybox image, {@code CMD ["sh"]}. */
    static Digest busybox(LocalStore store, Path scratch) throws IOException {
        Path tar = BusyboxRootfs.writeTar(scratch.resolve("busybox-" + System.nanoTime() + ".tar"));
        return image(store, List.of(tar), "amd64", List.of("sh"));
    }

    /** An image of {@code layers} tars, each holding one file of {@code bytesPerLayer} random bytes. */
    static Digest random(LocalStore store, Path scratch, int layers, int bytesPerLayer, String architecture, long seed)
            throws IOException {
        List<Path> tars = new ArrayList<>();
        Random random = new Random(seed);
        for (int i = 0; i < layers; i++) {
            Path tar = scratch.resolve("random-" + seed + "-" + i + ".tar");
            writeRandomTar(tar, "data/layer" + i + ".bin", bytesPerLayer, random);
            tars.add(tar);
        }
        return image(store, tars, architecture, List.of("true"));
    }

    static Digest image(LocalStore store, List<Path> tars, String architecture, List<String> cmd) throws IOException {
        List<Digest> diffIds = new ArrayList<>();
        List<HistoryEntry> history = new ArrayList<>();
        for (Path tar : tars) {
            try (InputStream in = Files.newInputStream(tar)) {
                diffIds.add(store.images().putLayerTar(in, sha(tar)));
            }
            history.add(new HistoryEntry(Optional.of(CREATED), "test layer", "", "", false));
        }
        List<LayerId> layerIds = ChainIds.layerIds(diffIds);
        for (int i = 0; i < layerIds.size(); i++) {
            if (store.driver().inspect(layerIds.get(i)).isEmpty()) {
                try (InputStream in = store.images().layerTar(diffIds.get(i))) {
                    store.driver().applyLayer(layerIds.get(i), i == 0 ? Optional.empty() : Optional.of(layerIds.get(i - 1)), in);
                }
            }
        }
        ContainerConfig config = new ContainerConfig("", List.of("PATH=/bin"), cmd, List.of(), "", Map.of(),
                Set.of(), Set.of(), "", List.of(), Optional.empty(), List.of());
        return store.images().put(new ImageConfig(architecture, "linux", Optional.of(CREATED), "", "", config,
                diffIds, history));
    }

    private static Digest sha(Path file) throws IOException {
        MessageDigest sha = Digest.newSha256();
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buffer = new byte[1 << 16];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                sha.update(buffer, 0, n);
            }
        }
        return Digest.fromBytes(sha.digest());
    }

    private static void writeRandomTar(Path tar, String name, int size, Random random) throws IOException {
        try (OutputStream file = Files.newOutputStream(tar);
             TarArchiveOutputStream out = new TarArchiveOutputStream(file)) {
            TarArchiveEntry dir = new TarArchiveEntry("data/");
            dir.setMode(040755);
            dir.setModTime(CREATED.toEpochMilli());
            out.putArchiveEntry(dir);
            out.closeArchiveEntry();
            TarArchiveEntry entry = new TarArchiveEntry(name);
            entry.setSize(size);
            entry.setMode(0100644);
            entry.setModTime(CREATED.toEpochMilli());
            out.putArchiveEntry(entry);
            byte[] buffer = new byte[1 << 16];
            for (int left = size; left > 0; ) {
                random.nextBytes(buffer);
                int n = Math.min(left, buffer.length);
                out.write(buffer, 0, n);
                left -= n;
            }
            out.closeArchiveEntry();
        }
    }
}
