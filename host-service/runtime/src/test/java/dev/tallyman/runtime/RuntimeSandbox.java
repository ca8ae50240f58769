package dev.tallyman.runtime;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The host side of the runtime ITs: a temp work folder that fails (never skips) without root, runc or conmon, and
 * the checks that a test's conmons are gone.
 */
public final class RuntimeSandbox {
    private RuntimeSandbox() {
    }

    /** A new temp folder named after {@code prefix}, once this host can run runc and conmon. */
    public static Path create(String prefix) throws IOException {
        String uid = Files.readAllLines(Path.of("/proc/self/status")).stream()
                .filter(line -> line.startsWith("Uid:")).findFirst().orElseThrow().split("\\s+")[1];
        assertThat(uid).as("these tests run runc and need root").isEqualTo("0");
        assertThat(Path.of("/usr/sbin/runc")).isExecutable();
        assertThat(Path.of("/usr/bin/conmon")).isExecutable();
        return Files.createTempDirectory(prefix);
    }

    /** Removes the work folder; null (set-up failed before it was made) is nothing to do. */
    public static void delete(Path work) throws IOException {
        if (work != null) {
            StateFiles.deleteTree(work);
        }
    }

    /**
     * Waits at most {@code grace} for each conmon to exit, then kills by pid those still alive: one problem each.
     */
    public static List<String> killLiveConmons(List<Integer> conmonPids, Duration grace) {
        List<String> problems = new ArrayList<>();
        for (int pid : conmonPids) {
            long deadline = System.nanoTime() + grace.toNanos();
            while (HostProcess.alive(pid) && System.nanoTime() < deadline) {
                sleep(5);
            }
            if (HostProcess.alive(pid)) {
                problems.add("conmon " + pid + " still alive");
                ProcessHandle.of(pid).ifPresent(ProcessHandle::destroyForcibly);
            }
        }
        return problems;
    }

    public static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }
}
