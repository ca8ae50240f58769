package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * Which compressed blobs each layer (by diff id) is known by, kept beside the content store as
 * {@code <root>/layers/<diffIdHex>/sources}, one {@link LayerSource} per line, newest last. The uncompressed
 * tar itself lives in the content store under the diff id; this index only lets push skip a blob the target
 * registry already holds, or mount it from a sibling repository. Losing it costs an upload, never data.
 */
public final class LayerSources {
    private static final int KEEP = 16;

    private final Path layers;

    /** @param root the content store's root folder (the index lives in its {@code layers/} subfolder) */
    public LayerSources(Path root) {
        this.layers = root.resolve("layers");
    }

    /** Every source recorded for the layer, oldest first; none when the layer was never pulled or pushed. */
    public List<LayerSource> of(Digest diffId) {
        Path file = file(diffId);
        List<String> lines;
        try {
            lines = Files.readAllLines(file, StandardCharsets.UTF_8);
        } catch (NoSuchFileException e) {
            return List.of();
        } catch (IOException e) {
            throw new UncheckedIOException("read layer sources " + diffId + ": " + e.getMessage(), e);
        }
        List<LayerSource> sources = new ArrayList<>();
        for (String line : lines) {
            if (!line.isBlank()) {
                try {
                    sources.add(LayerSource.parse(line));
                } catch (RuntimeException ignored) {
                    // A line a crash cut short: skip it, the others are still good.
                }
            }
        }
        return List.copyOf(sources);
    }

    /** Records a source; a repeat moves it to the end. The file is replaced atomically. */
    public synchronized void add(Digest diffId, LayerSource source) {
        Set<String> lines = new LinkedHashSet<>();
        of(diffId).forEach(s -> lines.add(s.line()));
        lines.remove(source.line());
        lines.add(source.line());
        List<String> kept = new ArrayList<>(lines);
        if (kept.size() > KEEP) {
            kept = kept.subList(kept.size() - KEEP, kept.size());
        }
        Path file = file(diffId);
        try {
            Files.createDirectories(file.getParent());
            Path temp = Files.createTempFile(file.getParent(), ".tmp-", "");
            try {
                Files.write(temp, (String.join("\n", kept) + "\n").getBytes(StandardCharsets.UTF_8));
                Files.move(temp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
            } finally {
                Files.deleteIfExists(temp);
            }
        } catch (AtomicMoveNotSupportedException e) {
            throw new UncheckedIOException("write layer sources " + diffId + ": rename not atomic", e);
        } catch (IOException e) {
            throw new UncheckedIOException("write layer sources " + diffId + ": " + e.getMessage(), e);
        }
    }

    /** Forgets the layer's sources, for when its tar leaves the content store. A repeat is safe. */
    public synchronized void forget(Digest diffId) {
        Path file = file(diffId);
        try {
            Files.deleteIfExists(file);
            Files.deleteIfExists(file.getParent());
        } catch (IOException e) {
            throw new UncheckedIOException("forget layer sources " + diffId + ": " + e.getMessage(), e);
        }
    }

    private Path file(Digest diffId) {
        return layers.resolve(diffId.hex()).resolve("sources");
    }
}
