package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.images.registry.RegistryIT.Recorder;
import dev.tallyman.spi.storage.LayerId;
import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pulls of blobs that are not what their manifest says fail with a clear message and leave the store as it
 * was: no blob, no layer, no temporary file. Each test has its own registry, as it damages its storage.
 */
class RegistryFailureIT {
    @TempDir
    Path dir;
    LocalRegistry registry;

    @BeforeEach
    void startRegistry() throws Exception {
        registry = LocalRegistry.start(dir.resolve("registry"));
    }

    @AfterEach
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    /** Pushes a 3-layer image whose top layer is the one to damage; returns that layer's blob digest. */
    private Digest pushThreeLayers(String repository) throws IOException {
        LocalStore source = LocalStore.at(dir.resolve("source"));
        Digest imageId = TestImages.random(source, dir, 3, 3 * 1024 * 1024, "amd64", 21);
        source.pusher(RegistryHosts.defaults()).push(ImageReference.parse(registry.host() + "/" + repository),
                imageId, ProgressListener.IGNORE);
        Digest top = source.images().config(imageId).diffIds().get(2);
        return source.sources().of(top).get(0).digest();
    }

    private static void assertLeftNothing(LocalStore store) throws IOException {
        assertThat(store.content().list()).isEmpty();
        assertThat(store.driver().list()).isEmpty();
        try (Stream<Path> files = Files.walk(store.root().resolve("content"))) {
            assertThat(files.filter(Files::isRegularFile).toList()).isEmpty();
        }
    }

    @Test
    void aTamperedLayerFailsThePullAndLeavesNothing() throws IOException {
        Digest blob = pushThreeLayers("tamper/app:v1");
        try (RandomAccessFile data = new RandomAccessFile(registry.blobData(blob).toFile(), "rw")) {
            data.seek(data.length() / 2);
            int b = data.read();
            data.seek(data.length() / 2);
            data.write(b ^ 0xff);
        }
        LocalStore target = LocalStore.at(dir.resolve("target"));

        assertThatThrownBy(() -> target.puller(RegistryHosts.defaults())
                .pull(ImageReference.parse(registry.host() + "/tamper/app:v1"), ProgressListener.IGNORE))
                .isInstanceOfSatisfying(RegistryException.class,
                        e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.INVALID_CONTENT))
                .hasMessage("filesystem layer verification failed for digest " + blob);
        assertLeftNothing(target);
    }

    @Test
    void aTruncatedLayerFailsThePullAndLeavesNothing() throws IOException {
        Digest blob = pushThreeLayers("cut/app:v1");
        LocalStore target = LocalStore.at(dir.resolve("target"));

        try (CuttingProxy proxy = new CuttingProxy(registry.base(), blob)) {
            assertThatThrownBy(() -> target.puller(RegistryHosts.defaults())
                    .pull(ImageReference.parse(proxy.host() + "/cut/app:v1"), ProgressListener.IGNORE))
                    .isInstanceOfSatisfying(RegistryException.class,
                            e -> assertThat(e.reason()).isEqualTo(RegistryException.Reason.INVALID_CONTENT))
                    .hasMessageStartingWith("unexpected EOF: filesystem layer " + blob + " ended after ");
        }
        assertLeftNothing(target);
    }

    @Test
    void aFailedPullKeepsWhatWasThereBefore() throws IOException {
        Digest blob = pushThreeLayers("partial/app:v1");
        // The same seed gives the same two bottom layers: an image of its own that the failed pull shares.
        LocalStore target = LocalStore.at(dir.resolve("target"));
        Path scratch = Files.createDirectories(dir.resolve("scratch"));
        Digest base = TestImages.random(target, scratch, 2, 3 * 1024 * 1024, "amd64", 21);
        List<Digest> blobsBefore = target.content().list();
        List<LayerId> layersBefore = target.driver().list();
        try (RandomAccessFile data = new RandomAccessFile(registry.blobData(blob).toFile(), "rw")) {
            data.setLength(data.length() - 1);
        }

        Recorder progress = new Recorder();
        assertThatThrownBy(() -> target.puller(RegistryHosts.defaults())
                .pull(ImageReference.parse(registry.host() + "/partial/app:v1"), progress))
                .isInstanceOf(RegistryException.class)
                .hasMessageStartingWith("unexpected EOF");

        assertThat(progress.statuses()).containsSubsequence("Already exists", "Already exists", "Pulling fs layer");
        assertThat(target.content().list()).containsExactlyInAnyOrderElementsOf(blobsBefore);
        assertThat(target.driver().list()).containsExactlyInAnyOrderElementsOf(layersBefore);
        assertThat(target.images().exists(base)).isTrue();
    }
}
