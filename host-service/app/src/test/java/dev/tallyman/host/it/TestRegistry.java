package dev.tallyman.host.it;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * Debian's docker-registry (distribution 2.8) for a test: 127.0.0.1 on a free port, storage and config in a
 * folder of the test, optionally behind htpasswd basic auth. Stopped by its pid on close.
 */
final class TestRegistry implements AutoCloseable {
    private static final Path BINARY = Path.of("/usr/bin/docker-registry");

    final int port;
    final Path storage;
    private final Process process;
    private final Path log;

    private TestRegistry(int port, Path storage, Process process, Path log) {
        this.port = port;
        this.storage = storage;
        this.process = process;
        this.log = log;
    }

    /** A registry without auth. */
    static TestRegistry open(Path dir) throws Exception {
        return start(dir, null, null);
    }

    /** A registry that wants this user and password (htpasswd, bcrypt). */
    static TestRegistry withPassword(Path dir, String user, String password) throws Exception {
        return start(dir, user, password);
    }

    private static TestRegistry start(Path dir, String user, String password) throws Exception {
        if (!Files.isExecutable(BINARY)) {
            throw new AssertionError(BINARY + " is missing: apt-get install docker-registry");
        }
        Files.createDirectories(dir);
        int port;
        try (ServerSocket probe = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
            port = probe.getLocalPort();
        }
        Path storage = dir.resolve("storage");
        StringBuilder config = new StringBuilder(String.join("\n",
                "version: 0.1",
                "log:",
                "  level: warn",
                "  accesslog:",
                "    disabled: true",
                "storage:",
                "  filesystem:",
                "    rootdirectory: " + storage,
                "  delete:",
                "    enabled: true",
                "http:",
                "  addr: 127.0.0.1:" + port,
                "  secret: tallyman-it",
                ""));
        if (user != null) {
            CommandResult hashed = Shell.run("htpasswd", "-Bbn", user, password);
            if (hashed.exitCode() != 0) {
                throw new AssertionError("htpasswd (apt-get install apache2-utils): " + hashed);
            }
            Path file = dir.resolve("htpasswd");
            Files.writeString(file, hashed.stdout().trim() + "\n");
            config.append("auth:\n  htpasswd:\n    realm: tallyman-it\n    path: ").append(file).append('\n');
        }
        Path configFile = dir.resolve("config.yml");
        Files.writeString(configFile, config.toString());
        Path log = dir.resolve("registry.log");
        Process process = new ProcessBuilder(BINARY.toString(), "serve", configFile.toString())
                .redirectErrorStream(true).redirectOutput(log.toFile()).start();
        TestRegistry registry = new TestRegistry(port, storage, process, log);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new AssertionError("docker-registry exited: " + Files.readString(log, StandardCharsets.UTF_8));
            }
            if (Shell.run("curl", "-s", "-o", "/dev/null", "http://" + registry.host() + "/v2/").exitCode() == 0) {
                return registry;
            }
            Thread.sleep(50);
        }
        registry.close();
        throw new AssertionError("docker-registry did not answer on " + registry.host());
    }

    /** "127.0.0.1:PORT", the domain part of image names in this registry. */
    String host() {
        return "127.0.0.1:" + port;
    }

    /** Where the registry keeps a blob's bytes (distribution's filesystem layout). */
    Path blob(String digest) {
        String hex = digest.substring("sha256:".length());
        return storage.resolve("docker/registry/v2/blobs/sha256").resolve(hex.substring(0, 2)).resolve(hex).resolve("data");
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
