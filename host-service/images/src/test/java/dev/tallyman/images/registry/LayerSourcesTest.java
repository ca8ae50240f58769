package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.images.reference.Digest;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LayerSourcesTest {
    private static final Digest DIFF = Digest.sha256("tar".getBytes(StandardCharsets.UTF_8));
    private static final Digest GZ1 = Digest.sha256("gz1".getBytes(StandardCharsets.UTF_8));
    private static final Digest GZ2 = Digest.sha256("gz2".getBytes(StandardCharsets.UTF_8));

    @TempDir
    Path root;

    @Test
    void remembersEachSourceOnceNewestLast() {
        LayerSources sources = new LayerSources(root);
        LayerSource first = new LayerSource(GZ1, 10, MediaTypes.DOCKER_LAYER_GZIP, "127.0.0.1:5000/a");
        LayerSource second = new LayerSource(GZ2, 11, MediaTypes.OCI_LAYER_GZIP, "127.0.0.1:5000/b");

        assertThat(sources.of(DIFF)).isEmpty();
        sources.add(DIFF, first);
        sources.add(DIFF, second);
        sources.add(DIFF, first);

        assertThat(new LayerSources(root).of(DIFF)).containsExactly(second, first);
        assertThat(root.resolve("layers").resolve(DIFF.hex()).resolve("sources")).isRegularFile();
        sources.forget(DIFF);
        assertThat(sources.of(DIFF)).isEmpty();
        assertThat(root.resolve("layers").resolve(DIFF.hex())).doesNotExist();
    }
}
