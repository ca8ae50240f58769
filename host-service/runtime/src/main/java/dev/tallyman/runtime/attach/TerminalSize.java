package dev.tallyman.runtime.attach;

import com.sun.jna.Native;
import com.sun.jna.NativeLong;
import dev.tallyman.runtime.ContainerRuntimeException;

import java.nio.charset.StandardCharsets;
import java.nio.file.Path;

/**
 * Sets the size of the terminal conmon holds for a process, through the {@code ctl} fifo in conmon's bundle
 * directory: a line {@code 1 <rows> <columns>} (conmon's resize event). Needs no attach session, so a resize
 * request can come on its own, as Docker's {@code /containers/{id}/resize} and {@code /exec/{id}/resize} do.
 */
public final class TerminalSize {
    private static final int RESIZE_EVENT = 1;

    private TerminalSize() {
    }

    /**
     * Resizes; the process gets SIGWINCH. Without a terminal conmon ignores it.
     *
     * @param directory conmon's bundle directory or the link to it under conmon's socket directory
     * @throws ContainerRuntimeException when no conmon reads the fifo (the process has ended)
     */
    public static void set(Path directory, int rows, int columns) {
        if (rows < 0 || columns < 0 || rows > 0xffff || columns > 0xffff) {
            throw new IllegalArgumentException("terminal size out of range: " + rows + "x" + columns);
        }
        Path ctl = directory.resolve("ctl");
        Libc libc = Libc.INSTANCE;
        // Non-blocking: opening a fifo for writing blocks until it has a reader, and a dead conmon has none.
        int fd = libc.open(ctl.toString(), Libc.O_WRONLY | Libc.O_NONBLOCK | Libc.O_CLOEXEC);
        if (fd < 0) {
            throw new ContainerRuntimeException("resize terminal: open " + ctl + ": " + Libc.lastError());
        }
        try {
            // One write of a short line is atomic, so lines of concurrent resizes never interleave.
            byte[] line = (RESIZE_EVENT + " " + rows + " " + columns + "\n").getBytes(StandardCharsets.US_ASCII);
            long n = libc.write(fd, line, new NativeLong(line.length)).longValue();
            if (n != line.length) {
                throw new ContainerRuntimeException("resize terminal: write " + ctl + ": "
                        + (n < 0 ? libc.strerror(Native.getLastError()) : "short write"));
            }
        } finally {
            libc.close(fd);
        }
    }
}
