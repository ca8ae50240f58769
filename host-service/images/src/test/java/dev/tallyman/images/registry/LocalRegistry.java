package dev.tallyman.images.registry;

import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * Debian's real {@code docker-registry} (distribution 2.8) on 127.0.0.1 and a free port, with its own config
 * and filesystem storage under a folder of the test; {@link #close()} stops it by its pid.
 */
final class LocalRegistry implements AutoCloseable {
    static final Path BINARY = Path.of("/usr/bin/docker-registry");

    private final Process process;
    private final int port;
    private final Path storage;
    private final Path log;

    private LocalRegistry(Process process, int port, Path storage, Path log) {
        this.process = process;
        this.port = port;
        this.storage = storage;
        this.log = log;
    }

    /** Starts a registry without auth. */
    static LocalRegistry start(Path dir) throws IOException, InterruptedException {
        return start(dir, "");
    }

    /** Starts a registry; {@code authYaml} is an {@code auth:} section, indented as at top level, or empty. */
    static LocalRegistry start(Path dir, String authYaml) throws IOException, InterruptedException {
        if (!Files.isExecutable(BINARY)) {
            throw new IllegalStateException(BINARY + " is missing (apt-get install docker-registry)");
        }
        Files.createDirectories(dir);
        int port = freePort();
        Path storage = dir.resolve("storage");
        Path config = dir.resolve("config.yml");
        Files.writeString(config, String.join("\n",
                "version: 0.1",
                "log:",
                "  level: info",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + storage,
                "  delete:",
                "    enabled: true",
                "http:",
                "  addr: 127.0.0.1:" + port,
                "  secret: tallyman-test-secret",
                authYaml,
                ""));
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(BINARY.toString(), "serve", config.toString())
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        LocalRegistry registry = new LocalRegistry(process, port, storage, log);
        try {
            registry.awaitReady();
        } catch (IOException | RuntimeException e) {
            registry.close();
            throw e;
        }
        return registry;
    }

    private void awaitReady() throws IOException, InterruptedException {
        HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IOException("docker-registry exited with " + process.exitValue() + ": " + Files.readString(log));
            }
            try {
                http.send(HttpRequest.newBuilder(URI.create(base() + "/v2/")).build(), HttpResponse.BodyHandlers.discarding());
                return;
            } catch (IOException notYet) {
                Thread.sleep(50);
            }
        }
        throw new IOException("docker-registry did not answer on " + base() + ": " + Files.readString(log));
    }

    static int freePort() throws IOException {
        try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            return socket.getLocalPort();
        }
    }

    int port() {
        return port;
    }

    /** {@code 127.0.0.1:<port>}, the domain of image references. */
    String host() {
        return "127.0.0.1:" + port;
    }

    URI base() {
        return URI.create("http://" + host());
    }

    /** Where the registry keeps a blob's bytes (distribution's filesystem layout). */
    Path blobData(Digest digest) {
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(digest.hex().substring(0, 2))
                .resolve(digest.hex()).resolve("data");
    }

    @Override
    public void close() throws InterruptedException {
        process.destroy();
        if (!process.waitFor(10, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            process.waitFor(10, TimeUnit.SECONDS);
        }
    }
}
