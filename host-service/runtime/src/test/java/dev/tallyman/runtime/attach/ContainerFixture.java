package dev.tallyman.runtime.attach;

import dev.tallyman.runtime.BusyboxRootfs;
import dev.tallyman.runtime.ContainerRuntime;
import dev.tallyman.runtime.RunningProcess;
import dev.tallyman.runtime.RuntimeConfig;
import dev.tallyman.runtime.RuntimeSandbox;
import dev.tallyman.runtime.oci.ContainerProcess;
import dev.tallyman.runtime.oci.ContainerSpecification;
import dev.tallyman.runtime.oci.OciSpecWriter;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;

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
        return new ContainerFixture(RuntimeSandbox.create("tallyman-interactive-it"));
    }

    private static Path rootfs(Path dir) throws IOException {
        BusyboxRootfs.create(dir, APPLETS);
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
        problems.addAll(RuntimeSandbox.killLiveConmons(conmonPids, Duration.ofSeconds(5)));
        conmonPids.clear();
        return problems;
    }

    public static void sleep(long millis) {
        RuntimeSandbox.sleep(millis);
    }

    @Override
    public void close() throws IOException {
        RuntimeSandbox.delete(work);
    }
}
