package dev.tallyman.runtime.attach;

import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.RunningProcess;
import dev.tallyman.runtime.RuntimeConfig;
import dev.tallyman.runtime.oci.ContainerProcess;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.OciSpecWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Real runc and conmon with a busybox folder as rootfs, for the attach, exec and top ITs. Remembers every
 * container and conmon it made, so {@link #removeAll} cleans up by id and pid even after a failed test.
 */
public final class ContainerFixture implements AutoCloseable {
    private static final List<String> APPLETS = List.of("sh", "echo", "true", "sleep", "cat", "id", "pwd", "env",
            "stty", "printf", "tty", "test", "touch", "ls");
    private static final OciSpecWriter WRITER = OciSpecWriter.forHost();

    public final Path work;
    public final Path rootfs;
    public final RuntimeConfig config;
    public final ContainerRuntime runtime;
    private final List<String> ids = new ArrayList<>();
    private final List<Integer> conmonPids = new ArrayList<>();

    private ContainerFixture(Path work) throws IOException {
        this.work = work;
        this.rootfs = rootfs(work.resolve("rootfs"));
        this.config = RuntimeConfig.defaults(work.resolve("state"));
        this.runtime = new ContainerRuntime(config);
    }

    /** Fails (never skips) without root, runc or conmon. */
    public static ContainerFixture create() throws IOException {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertThat(uid).as("these tests run runc and need root").isEqualTo("0");
        assertThat(Path.of("/usr/sbin/runc")).isExecutable();
        assertThat(Path.of("/usr/bin/conmon")).isExecutable();
        return new ContainerFixture(Files.createTempDirectory("tallyman-interactive-it"));
    }

    private static Path rootfs(Path dir) throws IOException {
        Path bin = Files.createDirectories(dir.resolve("bin"));
        Files.copy(Path.of("/bin/busybox"), bin.resolve("busybox"), StandardCopyOption.COPY_ATTRIBUTES);
        for (String applet : APPLETS) {
            Files.createSymbolicLink(bin.resolve(applet), Path.of("busybox"));
        }
        Path etc = Files.createDirectories(dir.resolve("etc"));
        Files.writeString(etc.resolve("passwd"), "root:x:0:0:root:/root:/bin/sh\napp:x:1000:1000::/home/app:/bin/sh\n");
        Files.writeString(etc.resolve("group"), "root:x:0:\napp:x:1000:\n");
        Files.createDirectories(dir.resolve("tmp"));
        Files.createDirectories(dir.resolve("root"));
        return dir;
    }

    public String newId() {
        String id = "it-" + Long.toHexString(ThreadLocalRandom.current().nextLong());
        ids.add(id);
        return id;
    }

    /** Writes the bundle and runs conmon + runc create; the container is "created", not started. */
    public RunningProcess create(String id, ContainerProcess process) {
        Path bundle = work.resolve("bundles").resolve(id);
        WRITER.write(ContainerSpecification.builder(id, rootfs, process).build(), bundle);
        RunningProcess created = runtime.create(id, bundle, work.resolve("logs").resolve(id + ".log"));
        conmonPids.add(created.conmonPid());
        return created;
    }

    /** A conmon the test started besides the containers' (an exec's): killed by pid if still alive at the end. */
    public void remember(int conmonPid) {
        conmonPids.add(conmonPid);
    }

    public RunningProcess run(String id, String... args) {
        RunningProcess created = create(id, ContainerProcess.of(args));
        runtime.start(id);
        return created;
    }

    /** Force-deletes every container made; returns what was left behind (and kills it). */
    public List<String> removeAll() {
        List<String> problems = new ArrayList<>();
        for (String id : ids) {
            try {
                runtime.delete(id, true);
            } catch (RuntimeException e) {
                problems.add(id + ": " + e.getMessage());
            }
        }
        ids.clear();
        for (int pid : conmonPids) {
            long deadline = System.nanoTime() + Duration.ofSeconds(5).toNanos();
            while (alive(pid) && System.nanoTime() < deadline) {
                sleep(5);
            }
            if (alive(pid)) {
                problems.add("conmon " + pid + " still alive");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        conmonPids.clear();
        return problems;
    }

    private static boolean alive(int pid) {
        try {
            String stat = Files.readString(Path.of("/proc", Integer.toString(pid), "stat"));
            char state = stat.charAt(stat.lastIndexOf(')') + 2);
            return state != 'Z' && state != 'X';
        } catch (IOException e) {
            return false;
        }
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    @Override
    public void close() throws IOException {
        try (Stream<Path> paths = Files.walk(work)) {
            for (Path path : paths.sorted(Comparator.reverseOrder()).toList()) {
                Files.deleteIfExists(path);
            }
        }
    }
}
