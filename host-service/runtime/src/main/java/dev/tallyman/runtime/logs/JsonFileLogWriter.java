package dev.tallyman.runtime.logs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;

/**
 * Appends lines to a json-file log and rotates it as Docker's log file does: before a line is written, a file
 * that already holds max-size bytes or more is moved to {@code .1} (older ones to {@code .2} ... up to
 * {@code max-file - 1}, the oldest dropped), and a new file is started; with max-file 1 it is truncated in place.
 * So a file may end up one line longer than max-size, as Docker's do.
 */
final class JsonFileLogWriter implements Closeable {
    private final Path file;
    private final JsonFileLogOptions options;
    private FileChannel channel;
    private long size;

    JsonFileLogWriter(Path file, JsonFileLogOptions options) throws IOException {
        this.file = file;
        this.options = options;
        Files.createDirectories(file.toAbsolutePath().getParent());
        open(false);
    }

    /** Writes one line; answers whether a rotation happened before it. */
    boolean write(byte[] line) throws IOException {
        boolean rotated = false;
        if (options.maxSize() > 0 && size >= options.maxSize()) {
            rotate();
            rotated = true;
        }
        ByteBuffer buffer = ByteBuffer.wrap(line);
        while (buffer.hasRemaining()) {
            size += channel.write(buffer);
        }
        return rotated;
    }

    long size() {
        return size;
    }

    Path file() {
        return file;
    }

    private void rotate() throws IOException {
        channel.close();
        int maxFile = options.maxFile();
        if (maxFile >= 2) {
            Files.deleteIfExists(rotated(file, maxFile - 1));
            for (int i = maxFile - 1; i > 1; i--) {
                Path older = rotated(file, i - 1);
                if (Files.exists(older)) {
                    Files.move(older, rotated(file, i), StandardCopyOption.REPLACE_EXISTING);
                }
            }
            Files.move(file, rotated(file, 1), StandardCopyOption.REPLACE_EXISTING);
        }
        open(true);
    }

    private void open(boolean truncate) throws IOException {
        channel = truncate
                ? FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.TRUNCATE_EXISTING)
                : FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE,
                        StandardOpenOption.APPEND);
        size = channel.size();
        if (!truncate) {
            channel.position(size);
        }
    }

    static Path rotated(Path file, int generation) {
        return file.resolveSibling(file.getFileName() + "." + generation);
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
