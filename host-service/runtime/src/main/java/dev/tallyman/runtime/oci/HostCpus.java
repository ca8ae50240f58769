package dev.tallyman.runtime.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The CPUs and memory nodes a container may be given, as Docker's sysinfo sees them.
 *
 * @param online how many CPUs this process may run on (Docker's NumCPU: the affinity mask's size)
 * @param cpus the root cpuset's CPUs, e.g. {@code 0-1}
 * @param mems the root cpuset's memory nodes, e.g. {@code 0}
 */
public record HostCpus(int online, String cpus, String mems) {
    public HostCpus {
        if (online < 1) {
            throw new IllegalArgumentException("online cpus must be at least 1: " + online);
        }
    }

    /** Reads /proc/self/status and the root cpuset (cgroup v1 at /sys/fs/cgroup/cpuset, else v2). */
    public static HostCpus current() {
        int online = Runtime.getRuntime().availableProcessors();
        for (String line : lines(Path.of("/proc/self/status"))) {
            if (line.startsWith("Cpus_allowed_list:")) {
                online = CpuList.parse(line.substring(line.indexOf(':') + 1).trim(), Integer.MAX_VALUE).size();
            }
        }
        Path v1 = Path.of("/sys/fs/cgroup/cpuset");
        if (Files.isRegularFile(v1.resolve("cpuset.cpus"))) {
            return new HostCpus(online, read(v1.resolve("cpuset.cpus")), read(v1.resolve("cpuset.mems")));
        }
        Path v2 = Path.of("/sys/fs/cgroup");
        return new HostCpus(online, read(v2.resolve("cpuset.cpus.effective")),
                read(v2.resolve("cpuset.mems.effective")));
    }

    private static String read(Path file) {
        try {
            return Files.isRegularFile(file) ? Files.readString(file).trim() : "";
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }

    private static java.util.List<String> lines(Path file) {
        try {
            return Files.readAllLines(file);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }
}
