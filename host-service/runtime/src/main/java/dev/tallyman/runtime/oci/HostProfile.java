package dev.tallyman.runtime.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * What the host allows a container: the capability bounding set and the hard open-files limit, plus the host
 * files copied into bundles. runc cannot grant more than its own process holds, so the writer clamps to these.
 *
 * @param capabilityBoundingSet the CapBnd mask of this process (bit n = capability n)
 * @param openFilesHardLimit the hard RLIMIT_NOFILE of this process; raising it needs CAP_SYS_RESOURCE
 * @param resolvConf the host's resolv.conf
 * @param hosts the host's hosts file
 */
public record HostProfile(long capabilityBoundingSet, long openFilesHardLimit, Path resolvConf, Path hosts) {

    /** Reads this process' CapBnd and hard open-files limit; the host files are /etc/resolv.conf and /etc/hosts. */
    public static HostProfile current() {
        return new HostProfile(readBoundingSet(), readOpenFilesHardLimit(),
                Path.of("/etc/resolv.conf"), Path.of("/etc/hosts"));
    }

    static long readBoundingSet() {
        for (String line : readLines(Path.of("/proc/self/status"))) {
            if (line.startsWith("CapBnd:")) {
                return Long.parseUnsignedLong(line.substring("CapBnd:".length()).trim(), 16);
            }
        }
        throw new IllegalStateException("read capability bounding set: no CapBnd in /proc/self/status");
    }

    static long readOpenFilesHardLimit() {
        for (String line : readLines(Path.of("/proc/self/limits"))) {
            if (line.startsWith("Max open files")) {
                String[] fields = line.substring("Max open files".length()).trim().split("\\s+");
                return fields[1].equals("unlimited") ? Long.MAX_VALUE : Long.parseLong(fields[1]);
            }
        }
        throw new IllegalStateException("read open files limit: no 'Max open files' in /proc/self/limits");
    }

    private static java.util.List<String> readLines(Path path) {
        try {
            return Files.readAllLines(path);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + path + ": " + e.getMessage(), e);
        }
    }
}
