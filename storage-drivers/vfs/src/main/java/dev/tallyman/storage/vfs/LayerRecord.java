package dev.tallyman.storage.vfs;

import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.LayerInfo;
import java.io.IOException;
import java.io.StringReader;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Optional;
import java.util.Properties;

/**
 * What the driver remembers of one complete layer, kept in the layer's {@code meta} file. The file is
 * written last, through a temporary file, fsync and rename: a layer folder without it is an apply or
 * create that never finished, and the driver removes it.
 *
 * @param sizeBytes own bytes of an image layer, measured when applied; writable layers are measured on demand
 */
record LayerRecord(LayerId id, Optional<LayerId> parent, Optional<String> diffId, long sizeBytes, boolean writable) {
    static final String FILE = "meta";

    LayerInfo info(long size) {
        return new LayerInfo(id, parent, diffId, size);
    }

    void write(Path layerDir) throws IOException {
        String text = "parent=" + parent.map(LayerId::value).orElse("") + "\n"
                + "diff-id=" + diffId.orElse("") + "\n"
                + "size=" + sizeBytes + "\n"
                + "kind=" + (writable ? "writable" : "image") + "\n";
        Path temp = layerDir.resolve(FILE + ".tmp");
        try (FileChannel channel = FileChannel.open(temp, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                StandardOpenOption.TRUNCATE_EXISTING)) {
            channel.write(ByteBuffer.wrap(text.getBytes(StandardCharsets.UTF_8)));
            channel.force(true);
        }
        Files.move(temp, layerDir.resolve(FILE), StandardCopyOption.ATOMIC_MOVE);
    }

    static LayerRecord read(LayerId id, Path layerDir) throws IOException {
        Properties p = new Properties();
        p.load(new StringReader(Files.readString(layerDir.resolve(FILE))));
        String parent = p.getProperty("parent", "");
        String diffId = p.getProperty("diff-id", "");
        return new LayerRecord(id, parent.isEmpty() ? Optional.empty() : Optional.of(LayerId.of(parent)),
                diffId.isEmpty() ? Optional.empty() : Optional.of(diffId),
                Long.parseLong(p.getProperty("size", "0")),
                "writable".equals(p.getProperty("kind")));
    }
}
