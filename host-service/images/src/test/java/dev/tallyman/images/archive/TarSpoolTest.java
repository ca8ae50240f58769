package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

class TarSpoolTest {

    static byte[] tar(int fileSize) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            TarArchiveEntry dir = new TarArchiveEntry("etc/", TarArchiveEntry.LF_DIR);
            tar.putArchiveEntry(dir);
            tar.closeArchiveEntry();
            TarArchiveEntry file = new TarArchiveEntry("etc/" + "long-name-".repeat(15) + "file");
            file.setSize(fileSize);
            tar.putArchiveEntry(file);
            tar.write(new byte[fileSize]);
            tar.closeArchiveEntry();
            TarArchiveEntry link = new TarArchiveEntry("bin/sh", TarArchiveEntry.LF_SYMLINK);
            link.setLinkName("busybox");
            tar.putArchiveEntry(link);
            tar.closeArchiveEntry();
        }
        return bytes.toByteArray();
    }

    private static TarSpool.Result spool(byte[] input, ByteArrayOutputStream copy) throws IOException {
        return TarSpool.copy(new ByteArrayInputStream(input), copy);
    }

    @Test
    void copiesAWholeTarAndHashesEveryByte() throws IOException {
        byte[] tar = tar(1234);
        ByteArrayOutputStream copy = new ByteArrayOutputStream();

        TarSpool.Result result = spool(tar, copy);

        assertThat(copy.toByteArray()).isEqualTo(tar);
        assertThat(result.diffId()).isEqualTo(Digest.sha256(tar));
        assertThat(result.bytes()).isEqualTo(tar.length);
    }

    @Test
    void trailingBytesAfterTheEndBlocksCountInTheDiffId() throws IOException {
        byte[] tar = tar(10);
        byte[] padded = Arrays.copyOf(tar, tar.length + 700);
        padded[padded.length - 1] = 'x';

        assertThat(spool(padded, new ByteArrayOutputStream()).diffId()).isEqualTo(Digest.sha256(padded));
    }

    @Test
    void anEmptyStreamIsAnEmptyLayer() throws IOException {
        assertThat(spool(new byte[0], new ByteArrayOutputStream()).diffId()).isEqualTo(Digest.sha256(new byte[0]));
    }

    record Broken(String description, byte[] input, String message) {
        @Override
        public String toString() {
            return description;
        }
    }

    static Stream<Broken> broken() throws IOException {
        byte[] tar = tar(5000);
        byte[] badChecksum = tar.clone();
        badChecksum[0] ^= 0x01;
        byte[] text = "line of text\n".repeat(100).getBytes(StandardCharsets.US_ASCII);
        byte[] zeroThenJunk = new byte[1024];
        zeroThenJunk[600] = 1;
        return Stream.of(
                new Broken("text longer than a block", text, "archive/tar: invalid tar header"),
                new Broken("text shorter than a block", "hello\n".getBytes(StandardCharsets.US_ASCII), "unexpected EOF"),
                new Broken("header with a wrong checksum", badChecksum, "archive/tar: invalid tar header"),
                new Broken("cut inside a file", Arrays.copyOf(tar, 2048), "unexpected EOF"),
                new Broken("cut inside a header", Arrays.copyOf(tar, 1500 + 512 * 11 + 100), "unexpected EOF"),
                new Broken("one zero block then junk", zeroThenJunk, "archive/tar: invalid tar header"));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("broken")
    void refusesWhatGoArchiveTarRefusesInItsWords(Broken c) {
        assertThatThrownBy(() -> spool(c.input(), new ByteArrayOutputStream()))
                .isInstanceOfSatisfying(ImageException.class,
                        e -> assertThat(e.kind()).isEqualTo(ImageException.Kind.INVALID_PARAMETER))
                .hasMessage(c.message());
    }
}
