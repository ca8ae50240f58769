package dev.tallyman.runtime.attach;

import dev.tallyman.runtime.ContainerRuntimeException;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.Optional;

/**
 * A connection to the process conmon monitors (a container's init or an exec'd process), through the files
 * conmon makes in its bundle directory: the {@code attach} socket (output out, input in) and the {@code ctl}
 * fifo (terminal size).
 *
 * <p>conmon's protocol (2.1.6): the socket is SOCK_SEQPACKET; each message conmon sends is one read of the
 * process' output prefixed by one byte naming the pipe, 2 for stdout and 3 for stderr; a message we send is
 * raw input for the process' stdin (or its terminal). When we shut our side for writing, conmon closes the
 * process' stdin, unless it runs with {@code --leave-stdin-open} (and a terminal is never closed). Output
 * written while no one is attached is not replayed here (it is in the log). When the process has exited and
 * conmon has drained its output, conmon closes the socket and {@link #read} reports the end.
 *
 * <p>Closing the session (detaching) leaves the process running. One thread may block in {@link #read} while
 * others write, resize and close.
 */
public final class AttachSession implements AutoCloseable {
    /** conmon's STDIO_BUF_SIZE plus its stream byte; a larger buffer costs nothing. */
    private static final int MESSAGE_SIZE = 32 * 1024;
    private static final int STDOUT_PIPE = 2;
    private static final int STDERR_PIPE = 3;

    private final Path directory;
    private final AttachSocket socket;
    private final byte[] buffer = new byte[MESSAGE_SIZE];

    private AttachSession(Path directory, AttachSocket socket) {
        this.directory = directory;
        this.socket = socket;
    }

    /**
     * Connects to conmon's attach socket in {@code directory} (conmon's bundle directory, or the link to it
     * conmon makes under its socket directory).
     *
     * @throws ContainerRuntimeException when there is no conmon listening there
     */
    public static AttachSession open(Path directory) {
        return new AttachSession(directory, AttachSocket.connect(directory.resolve("attach")));
    }

    /**
     * Blocks for the next piece of output; empty once the process has ended and all its output was delivered,
     * or the session was closed. Only one thread should read.
     */
    public Optional<AttachOutput> read() {
        while (true) {
            int n = socket.receive(buffer);
            if (n < 0) {
                return Optional.empty();
            }
            if (n == 1) {
                continue; // a pipe byte with nothing after it carries no output
            }
            AttachOutput.Stream stream = switch (buffer[0]) {
                case STDOUT_PIPE -> AttachOutput.Stream.STDOUT;
                case STDERR_PIPE -> AttachOutput.Stream.STDERR;
                default -> null;
            };
            if (stream != null) {
                return Optional.of(new AttachOutput(stream, Arrays.copyOfRange(buffer, 1, n)));
            }
        }
    }

    /** Sends {@code bytes} to the process' stdin (its terminal when it has one). */
    public void writeStdin(byte[] bytes) {
        writeStdin(bytes, 0, bytes.length);
    }

    public void writeStdin(byte[] bytes, int offset, int length) {
        // conmon reads at most 32 KiB per message and cuts the rest: send in pieces it takes whole.
        for (int at = offset; at < offset + length; at += MESSAGE_SIZE - 1) {
            socket.send(bytes, at, Math.min(MESSAGE_SIZE - 1, offset + length - at));
        }
    }

    /**
     * Ends our input: conmon closes the process' stdin when it was started with {@code --stdin} and without
     * {@code --leave-stdin-open}. Output keeps coming.
     */
    public void closeStdin() {
        socket.shutdownOutput();
    }

    /**
     * Sets the terminal's size; the process gets SIGWINCH. No effect on a process without a terminal.
     *
     * @throws ContainerRuntimeException when conmon is gone
     */
    public void resize(int rows, int columns) {
        TerminalSize.set(directory, rows, columns);
    }

    /** Detaches: our connection ends; the process keeps running. */
    @Override
    public void close() {
        socket.close();
    }
}
