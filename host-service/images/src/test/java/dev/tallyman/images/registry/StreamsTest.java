package dev.tallyman.images.registry;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.Arrays;
import java.util.Random;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Test;

/** The streams pull and push check and compress blobs with. */
class StreamsTest {
    private static final byte[] DATA = new byte[300_000];

    static {
        new Random(7).nextBytes(DATA);
        Arrays.fill(DATA, 100_000, 200_000, (byte) 'x');
    }

    private static VerifyingInputStream verifying(byte[] bytes, Digest expected, long size) {
        return new VerifyingInputStream(new ByteArrayInputStream(bytes), expected, size, "filesystem layer", n -> { });
    }

    @Test
    void aBlobMatchingItsDescriptorReadsThrough() throws IOException {
        try (InputStream in = verifying(DATA, Digest.sha256(DATA), DATA.length)) {
            assertThat(in.readAllBytes()).isEqualTo(DATA);
        }
    }

    @Test
    void aTamperedBlobFailsBeforeItsEnd() {
        byte[] tampered = DATA.clone();
        tampered[1234] ^= 1;
        Digest expected = Digest.sha256(DATA);

        assertThatThrownBy(() -> verifying(tampered, expected, DATA.length).readAllBytes())
                .isInstanceOf(VerifyingInputStream.VerificationFailed.class)
                .hasMessage("filesystem layer verification failed for digest " + expected);
    }

    @Test
    void aTruncatedBlobIsAnUnexpectedEof() {
        byte[] half = Arrays.copyOf(DATA, DATA.length / 2);

        assertThatThrownBy(() -> verifying(half, Digest.sha256(DATA), DATA.length).readAllBytes())
                .isInstanceOf(VerifyingInputStream.VerificationFailed.class)
                .hasMessageStartingWith("unexpected EOF");
    }

    @Test
    void aLongerBlobFailsAsSoonAsItPassesTheSize() {
        assertThatThrownBy(() -> verifying(DATA, Digest.sha256(DATA), 1000).readAllBytes())
                .isInstanceOf(VerifyingInputStream.VerificationFailed.class)
                .hasMessageContaining("more than the 1000 bytes");
    }

    @Test
    void gzipWhileReadingKnowsDigestAndSizeOfWhatItProduced() throws IOException {
        GzipCompressingStream gzip = new GzipCompressingStream(new ByteArrayInputStream(DATA));
        byte[] compressed = gzip.readAllBytes();

        assertThat(gzip.digest()).isEqualTo(Digest.sha256(compressed));
        assertThat(gzip.size()).isEqualTo(compressed.length);
        assertThat(compressed.length).isLessThan(DATA.length);
        try (InputStream back = new GZIPInputStream(new ByteArrayInputStream(compressed))) {
            assertThat(back.readAllBytes()).isEqualTo(DATA);
        }
    }
}
