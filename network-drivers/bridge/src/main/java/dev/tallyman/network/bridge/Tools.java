package dev.tallyman.network.bridge;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Runs {@code ip} and {@code nft} with a script on standard input: one fork per batch of commands. A process
 * started on a thread that entered a network namespace runs in that namespace.
 */
final class Tools {
    private Tools() {
    }

    /** Runs the command feeding it {@code input}; returns standard output, or throws with standard error. */
    static String run(List<String> command, String input) throws IOException {
        Process process = new ProcessBuilder(command).start();
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> drain(process.getErrorStream()));
        try (OutputStream in = process.getOutputStream()) {
            in.write(input.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            // The tool may exit before reading everything (it failed early); its exit status says why.
        }
        String out = drain(process.getInputStream());
        int status;
        try {
            status = process.waitFor();
        } catch (InterruptedException e) {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IOException(String.join(" ", command) + ": interrupted");
        }
        if (status != 0) {
            String message = err.join().strip().replace('\n', ' ');
            throw new ToolFailure(command.get(0), status, message.isEmpty() ? "exit status " + status : message);
        }
        return out;
    }

    private static String drain(InputStream stream) {
        try (stream) {
            return new String(stream.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    /** A tool that exited non-zero; the message is its standard error on one line. */
    static final class ToolFailure extends IOException {
        ToolFailure(String tool, int status, String stderr) {
            super(tool + ": " + stderr);
        }
    }
}
