package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.util.Arrays;
import org.apache.commons.compress.compressors.bzip2.BZip2CompressorInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.apache.commons.compress.compressors.xz.XZCompressorInputStream;

/**
 * How a tar stream is compressed, told by its first bytes as Docker's DecompressStream tells it: anything
 * without a known magic number is taken as an uncompressed tar.
 */
public enum Compression {
    NONE(new byte[0]),
    GZIP(new byte[] {0x1f, (byte) 0x8b, 0x08}),
    BZIP2(new byte[] {0x42, 0x5a, 0x68}),
    XZ(new byte[] {(byte) 0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00}),
    ZSTD(new byte[] {0x28, (byte) 0xb5, 0x2f, (byte) 0xfd});

    private static final int LONGEST_MAGIC = 6;

    private final byte[] magic;

    Compression(byte[] magic) {
        this.magic = magic;
    }

    /** The compression whose magic number starts {@code head}; {@link #NONE} when none does. */
    public static Compression detect(byte[] head) {
        for (Compression c : values()) {
            if (c != NONE && head.length >= c.magic.length
                    && Arrays.equals(head, 0, c.magic.length, c.magic, 0, c.magic.length)) {
                return c;
            }
        }
        return NONE;
    }

    /**
     * The uncompressed bytes of {@code in}, whatever its compression. zstd is recognised but not read
     * (INVALID_PARAMETER), as the JVM has no zstd decoder without a native library.
     */
    public static InputStream decompress(InputStream in) {
        BufferedInputStream buffered = new BufferedInputStream(in, 64 * 1024);
        try {
            buffered.mark(LONGEST_MAGIC);
            byte[] head = buffered.readNBytes(LONGEST_MAGIC);
            buffered.reset();
            return switch (detect(head)) {
                case NONE -> buffered;
                case GZIP -> new GzipCompressorInputStream(buffered, true);
                case BZIP2 -> new BZip2CompressorInputStream(buffered, true);
                case XZ -> new XZCompressorInputStream(buffered, true);
                case ZSTD -> throw ImageException.invalid("unsupported compression format zstd");
            };
        } catch (IOException e) {
            throw new UncheckedIOException("read compressed stream: " + e.getMessage(), e);
        }
    }
}
