package dev.tallyman.images.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ContentStoreTest {
    private static final byte[] HELLO = "hello".getBytes(StandardCharsets.US_ASCII);
    private static final Digest HELLO_SHA =
            Digest.parse("sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824");

    @TempDir
    Path root;

    @Test
    void putComputesTheDigestAndStoresUnderIt() throws IOException {
        ContentStore store = new ContentStore(root);

        Digest digest = store.put(new ByteArrayInputStream(HELLO));

        assertThat(digest).isEqualTo(HELLO_SHA);
        assertThat(root.resolve("blobs/sha256/" + HELLO_SHA.hex())).hasBinaryContent(HELLO);
        assertThat(store.exists(digest)).isTrue();
        assertThat(store.size(digest)).isEqualTo(5);
        assertThat(store.read(digest)).isEqualTo(HELLO);
        try (InputStream in = store.open(digest)) {
            assertThat(in.readAllBytes()).isEqualTo(HELLO);
        }
        assertThat(store.list()).containsExactly(HELLO_SHA);
    }

    @Test
    void putWithTheRightDigestStores() {
        ContentStore store = new ContentStore(root);

        assertThat(store.put(new ByteArrayInputStream(HELLO), HELLO_SHA)).isEqualTo(HELLO_SHA);
        assertThat(store.put(HELLO)).isEqualTo(HELLO_SHA);
        assertThat(store.list()).containsExactly(HELLO_SHA);
    }

    @Test
    void putWithAWrongDigestLeavesNothing() throws IOException {
        ContentStore store = new ContentStore(root);
        Digest other = Digest.sha256("other".getBytes(StandardCharsets.US_ASCII));

        assertThatThrownBy(() -> store.put(new ByteArrayInputStream(HELLO), other))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage("verify blob " + other + ": got " + HELLO_SHA);
        assertThat(store.exists(other)).isFalse();
        assertThat(store.exists(HELLO_SHA)).isFalse();
        try (Stream<Path> files = Files.list(root.resolve("blobs/sha256"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void aStreamThatFailsMidwayLeavesNothing() throws IOException {
        ContentStore store = new ContentStore(root);
        InputStream failing = new InputStream() {
            private int left = 10_000;

            @Override
            public int read() throws IOException {
                if (left-- <= 0) {
                    throw new IOException("connection reset");
                }
                return 'x';
            }
        };

        assertThatThrownBy(() -> store.put(failing)).hasMessageContaining("connection reset");
        try (Stream<Path> files = Files.list(root.resolve("blobs/sha256"))) {
            assertThat(files).isEmpty();
        }
    }

    @Test
    void deleteRemovesAndARepeatIsSafe() {
        ContentStore store = new ContentStore(root);
        store.put(HELLO);

        assertThat(store.delete(HELLO_SHA)).isTrue();
        assertThat(store.delete(HELLO_SHA)).isFalse();
        assertThat(store.exists(HELLO_SHA)).isFalse();
    }

    @Test
    void absentBlobsAreNotFound() {
        ContentStore store = new ContentStore(root);

        for (Runnable call : List.<Runnable>of(() -> store.read(HELLO_SHA), () -> store.size(HELLO_SHA),
                () -> store.open(HELLO_SHA))) {
            assertThatThrownBy(call::run)
                    .isInstanceOfSatisfying(ImageException.class,
                            e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.NOT_FOUND))
                    .hasMessage("blob " + HELLO_SHA + ": not found");
        }
    }

    @Test
    void leftoversOfACrashedWriterAreSweptAndNeverListed() throws IOException {
        ContentStore store = new ContentStore(root);
        Files.write(root.resolve("blobs/sha256/.tmp-123"), HELLO);

        assertThat(store.list()).isEmpty();
        assertThat(store.removeLeftovers()).isEqualTo(1);
        try (Stream<Path> files = Files.list(root.resolve("blobs/sha256"))) {
            assertThat(files).isEmpty();
        }
    }
}
