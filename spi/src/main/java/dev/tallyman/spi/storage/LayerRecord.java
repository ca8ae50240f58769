package dev.tallyman.spi.storage;

import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Collections;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Properties;
import java.util.Set;
import java.util.TreeMap;
import java.util.regex.Pattern;

/**
 * What a storage driver remembers of one complete layer, kept in the layer folder's {@value #FILE} file as
 * {@code key=value} lines. The file is written last, through a temporary file, fsync and rename: a layer folder
 * without it is an apply or create that never finished, and {@link LayerTable#open} removes it.
 *
 * @param id the layer, also the name of its folder
 * @param parent the layer below; empty for a base layer
 * @param diffId the digest of the tar an image layer was applied from; empty for a writable layer
 * @param sizeBytes own bytes of an image layer, measured when applied; writable layers are measured on demand
 * @param writable a container's writable layer rather than an image layer
 * @param extras facts of the driver's own, such as overlay2's short link name: keys of {@code [a-z0-9-]}
 *     other than {@code parent}, {@code diff-id}, {@code size} and {@code kind}; values on one line, without
 *     backslashes or leading blanks, because the file is read as a properties file
 */
public record LayerRecord(LayerId id, Optional<LayerId> parent, Optional<String> diffId, long sizeBytes,
                          boolean writable, Map<String, String> extras) {
    /** The name of the record's file inside the layer's folder. */
    public static final String FILE = "meta";
    private static final Set<String> OWN_KEYS = Set.of("parent", "diff-id", "size", "kind");
    private static final Pattern EXTRA_KEY = Pattern.compile("[a-z0-9][a-z0-9-]*");

    public LayerRecord {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(parent, "parent");
        Objects.requireNonNull(diffId, "diffId");
        if (sizeBytes < 0) {
            throw new IllegalArgumentException("layer record " + id + ": negative size " + sizeBytes);
        }
        // Sorted, so that the same record always writes the same file.
        TreeMap<String, String> copy = new TreeMap<>();
        extras.forEach((key, value) -> {
            if (!EXTRA_KEY.matcher(key).matches() || OWN_KEYS.contains(key)) {
                throw new IllegalArgumentException("layer record " + id + ": invalid extra key " + key);
            }
            if (value.contains("\n") || value.contains("\r") || value.contains("\\") || value.startsWith(" ")
                    || value.startsWith("\t")) {
                throw new IllegalArgumentException("layer record " + id + ": invalid value of " + key + ": " + value);
            }
            copy.put(key, value);
        });
        extras = Collections.unmodifiableMap(copy);
    }

    /** The layer as {@link StorageDriver#applyLayer} and {@link StorageDriver#inspect} describe it, with {@code size}. */
    public LayerInfo info(long size) {
        return new LayerInfo(id, parent, diffId, size);
    }

    /** The record as the text of its file; {@link #parse} reads it back. */
    public String format() {
        StringBuilder text = new StringBuilder();
        text.append("parent=").append(parent.map(LayerId::value).orElse("")).append('\n');
        text.append("diff-id=").append(diffId.orElse("")).append('\n');
        text.append("size=").append(sizeBytes).append('\n');
        extras.forEach((key, value) -> text.append(key).append('=').append(value).append('\n'));
        text.append("kind=").append(writable ? "writable" : "image").append('\n');
        return text.toString();
    }

    /**
     * Reads the record of layer {@code id} from the text of its file. A missing key takes its empty value
     * (no parent, no diff id, size 0, an image layer); every key not the record's own becomes an extra.
     *
     * @throws IllegalArgumentException naming the layer and the bad text, when a value cannot be read
     */
    public static LayerRecord parse(LayerId id, String text) {
        Properties p = new Properties();
        try {
            p.load(new StringReader(text));
        } catch (IOException | IllegalArgumentException e) {
            throw new IllegalArgumentException("parse layer record " + id + ": " + e.getMessage(), e);
        }
        String parent = p.getProperty("parent", "");
        String diffId = p.getProperty("diff-id", "");
        String size = p.getProperty("size", "0");
        long sizeBytes;
        try {
            sizeBytes = Long.parseLong(size);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("parse layer record " + id + ": invalid size " + size, e);
        }
        Map<String, String> extras = new TreeMap<>();
        for (String key : p.stringPropertyNames()) {
            if (!OWN_KEYS.contains(key)) {
                extras.put(key, p.getProperty(key));
            }
        }
        return new LayerRecord(id, parent.isEmpty() ? Optional.empty() : Optional.of(LayerId.of(parent)),
                diffId.isEmpty() ? Optional.empty() : Optional.of(diffId), sizeBytes,
                "writable".equals(p.getProperty("kind")), extras);
    }

    /**
     * Writes the record into {@code layerDir}, replacing an older one. Atomic: a crash leaves either the old
     * file or the new one, never a part, because the text is fsynced in a temporary file that is then renamed.
     */
    public void write(Path layerDir) throws IOException {
        Path temp = layerDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(format().getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temp, layerDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    /** Reads the record of layer {@code id} from {@code layerDir}; see {@link #parse}. */
    public static LayerRecord read(LayerId id, Path layerDir) throws IOException {
        return parse(id, Files.readString(layerDir.resolve(FILE)));
    }
}
