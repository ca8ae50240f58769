package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.util.stream.Stream;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorOutputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorOutputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class CompressionTest {
    interface Compressor {
        OutputStream wrap(OutputStream out) throws IOException;
    }

    record Case(Compression expected, Compressor compressor) {
        @Override
        public String toString() {
            return expected.name();
        }
    }

    static Stream<Case> cases() {
        return Stream.of(
                new Case(Compression.NONE, out -> out),
                new Case(Compression.GZIP, GzipCompressorOutputStream::new),
                new Case(Compression.BZIP2, BZip2CompressorOutputStream::new),
                new Case(Compression.XZ, XZCompressorOutputStream::new));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("cases")
    void detectsByMagicAndDecompresses(Case c) throws IOException {
        byte[] plain = TarSpoolTest.tar(3000);
        ByteArrayOutputStream compressed = new ByteArrayOutputStream();
        try (OutputStream out = c.compressor().wrap(compressed)) {
            out.write(plain);
        }

        assertThat(Compression.detect(compressed.toByteArray())).isEqualTo(c.expected());
        try (InputStream in = Compression.decompress(new ByteArrayInputStream(compressed.toByteArray()))) {
            assertThat(in.readAllBytes()).isEqualTo(plain);
        }
    }

    @Test
    void shortOrUnknownInputIsUncompressed() {
        assertThat(Compression.detect(new byte[0])).isEqualTo(Compression.NONE);
        assertThat(Compression.detect(new byte[] {0x1f})).isEqualTo(Compression.NONE);
        assertThat(Compression.detect("hello".getBytes())).isEqualTo(Compression.NONE);
    }

    @Test
    void zstdIsRecognisedButRefused() {
        byte[] zstd = {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd, 0, 0};

        assertThat(Compression.detect(zstd)).isEqualTo(Compression.ZSTD);
        assertThatThrownBy(() -> Compression.decompress(new ByteArrayInputStream(zstd)))
                .isInstanceOf(ImageException.class)
                .hasMessage("unsupported compression format zstd");
    }
}
