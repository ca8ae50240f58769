package dev.tallyman.images.archive;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tallyman.images.fixtures.BusyboxRootfs;
import dev.tallyman.images.reference.Digest;
import dev.tallyman.images.reference.ImageReference;
import dev.tallyman.spi.testkit.LayerStorageDirs;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Interop with a real Docker engine (Debian's docker.io, on its own socket via ops/lib/docker-peer): an
 * archive Tallyman saves loads and runs there, and one Docker saves loads here with Docker's image id.
 * The peer is started when it is not running, and then stopped again; the images made are removed by name.
 */
class DockerPeerIT {
    private static final Path PEER_SCRIPT = Path.of("../../ops/lib/docker-peer").toAbsolutePath().normalize();
    private static final String HOST = "unix:///run/tallyman-peer/docker.sock";
    private static final String DOCKER = "/usr/local/bin/docker";
    private static boolean startedPeer;

    @TempDir(factory = LayerStorageDirs.class)
    Path root;
    TestStores stores;
    final List<String> peerImages = new ArrayList<>();
    final List<String> peerContainers = new ArrayList<>();
    final String suffix = Long.toString(System.nanoTime());

    record Result(int exit, String out) {
    }

    private static Result run(List<String> command) throws IOException, InterruptedException {
        Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
        String out;
        try (InputStream in = process.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        if (!process.waitFor(180, TimeUnit.SECONDS)) {
            process.destroyForcibly();
            throw new AssertionError("timed out: " + command);
        }
        return new Result(process.exitValue(), out);
    }

    private static String peer(String... args) throws IOException, InterruptedException {
        List<String> command = new ArrayList<>(List.of(DOCKER, "-H", HOST));
        command.addAll(List.of(args));
        Result result = run(command);
        assertThat(result.exit()).as("docker %s: %s", String.join(" ", args), result.out()).isZero();
        return result.out().strip();
    }

    @BeforeAll
    static void startPeerUnlessRunning() throws IOException, InterruptedException {
        if (run(List.of(PEER_SCRIPT.toString(), "status")).exit() != 0) {
            Result start = run(List.of(PEER_SCRIPT.toString(), "start"));
            assertThat(start.exit()).as("docker-peer start: %s", start.out()).isZero();
            startedPeer = true;
        }
    }

    @AfterAll
    static void stopPeerIfStartedHere() throws IOException, InterruptedException {
        if (startedPeer) {
            Result stop = run(List.of(PEER_SCRIPT.toString(), "stop"));
            assertThat(stop.exit()).as("docker-peer stop: %s", stop.out()).isZero();
        }
    }

    @BeforeEach
    void store() {
        stores = TestStores.vfs(root.resolve("store"));
    }

    @AfterEach
    void removePeerObjects() throws IOException, InterruptedException {
        for (String container : peerContainers) {
            run(List.of(DOCKER, "-H", HOST, "rm", "-f", container));
        }
        for (String image : peerImages) {
            run(List.of(DOCKER, "-H", HOST, "rmi", "-f", image));
        }
    }

    @Test
    void anArchiveSavedHereLoadsAndRunsInDocker() throws IOException, InterruptedException {
        Path rootfs = BusyboxRootfs.writeTar(root.resolve("busybox.tar"));
        ImportedImage image;
        try (InputStream in = Files.newInputStream(rootfs)) {
            image = stores.importer().importImage(in, List.of("CMD [\"sh\"]"), "");
        }
        String tag = "tallyman-it/saved:" + suffix;
        Path archive = root.resolve("saved.tar");
        try (OutputStream out = Files.newOutputStream(archive)) {
            stores.saver().save(List.of(new SaveRequest(image.imageId(), List.of(ImageReference.parse(tag)))), out);
        }

        peerImages.add(tag);
        assertThat(peer("load", "-i", archive.toString())).contains("Loaded image: " + tag);
        assertThat(peer("image", "inspect", "--format", "{{.Id}}", tag)).isEqualTo(image.imageId().toString());
        assertThat(peer("run", "--rm", "--network", "none", tag, "echo", "hi")).isEqualTo("hi");
    }

    @Test
    void anArchiveSavedByDockerLoadsHereWithDockersImageId() throws IOException, InterruptedException {
        Path rootfs = BusyboxRootfs.writeTar(root.resolve("busybox.tar"));
        String base = "tallyman-it/peer-base:" + suffix;
        String committed = "tallyman-it/peer-committed:" + suffix;
        String container = "tallyman-it-" + suffix;
        peerImages.add(committed);
        peerImages.add(base);
        peer("import", "-c", "CMD [\"sh\"]", rootfs.toString(), base);
        peerContainers.add(container);
        peer("run", "--name", container, "--network", "none", base, "sh", "-c",
                "echo from docker > /etc/motd && rm /etc/group && mkdir -p /data && echo x > /data/x");
        peer("commit", "-a", "peer", "-m", "made by docker", container, committed);
        String dockerId = peer("image", "inspect", "--format", "{{.Id}}", committed);
        Path archive = root.resolve("from-docker.tar");
        peer("save", "-o", archive.toString(), committed);

        List<LoadedImage> loaded;
        try (InputStream in = Files.newInputStream(archive)) {
            loaded = stores.loader().load(in, LoadProgress.NONE);
        }

        assertThat(loaded).hasSize(1);
        LoadedImage image = loaded.get(0);
        assertThat(image.imageId()).isEqualTo(Digest.parse(dockerId));
        assertThat(image.tags()).containsExactly(ImageReference.parse(committed));
        assertThat(image.layers()).hasSize(2);
        assertThat(image.config().author()).isEqualTo("peer");
        // Docker keeps a commit's message in the history entry only; its inspect falls back to that entry.
        assertThat(image.config().history()).last().satisfies(h -> assertThat(h.comment()).isEqualTo("made by docker"));
        Path tree = Path.of(stores.driver().mounts(image.layers().get(1)).get(0).source());
        assertThat(tree.resolve("etc/motd")).hasContent("from docker");
        assertThat(tree.resolve("etc/group")).doesNotExist();
        assertThat(tree.resolve("data/x")).hasContent("x");
        assertThat(tree.resolve("bin/busybox")).hasSize(Files.size(BusyboxRootfs.BUSYBOX));

        // And back: what Docker saved, saved again here, loads in Docker under the same id.
        Path again = root.resolve("again.tar");
        String retagged = "tallyman-it/round-trip:" + suffix;
        peerImages.add(retagged);
        try (OutputStream out = Files.newOutputStream(again)) {
            stores.saver().save(List.of(new SaveRequest(image.imageId(), List.of(ImageReference.parse(retagged)))), out);
        }
        peer("rmi", committed);
        assertThat(peer("load", "-i", again.toString())).contains("Loaded image: " + retagged);
        assertThat(peer("image", "inspect", "--format", "{{.Id}}", retagged)).isEqualTo(dockerId);
        assertThat(peer("run", "--rm", "--network", "none", retagged, "cat", "/etc/motd")).isEqualTo("from docker");
    }
}
