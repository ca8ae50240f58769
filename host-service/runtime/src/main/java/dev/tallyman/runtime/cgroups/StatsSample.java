package dev.tallyman.runtime.cgroups;

import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;

/**
 * One reading of a container's counters, in the units Docker's stats API uses (nanoseconds, bytes). Counters
 * only grow; rates (CPU %) come from two samples, as {@link DockerStats} does with read and preread.
 *
 * @param read when the sample was taken
 * @param cpu CPU time of the cgroup and of the whole host
 * @param memory memory use and limit
 * @param pids process count and limit
 * @param blkio bytes and operations per block device
 * @param networks interface name to counters, from the container's network namespace (includes lo)
 */
public record StatsSample(Instant read, Cpu cpu, Memory memory, Pids pids, Blkio blkio,
                          Map<String, Network> networks) {
    public StatsSample {
        networks = Map.copyOf(networks);
    }

    /**
     * @param totalUsage cgroup CPU time in ns
     * @param perCpuUsage per-CPU time in ns (cgroup v1 only; empty on v2, as Docker reports it)
     * @param kernelMode system time in ns
     * @param userMode user time in ns
     * @param systemUsage the host's total CPU time in ns from /proc/stat (user..softirq), Docker's system_cpu_usage
     * @param onlineCpus CPUs listed in /proc/stat
     * @param throttlingPeriods CFS periods that have elapsed
     * @param throttledPeriods periods in which the cgroup was throttled
     * @param throttledTime total time throttled in ns
     */
    public record Cpu(long totalUsage, List<Long> perCpuUsage, long kernelMode, long userMode, long systemUsage,
                      int onlineCpus, long throttlingPeriods, long throttledPeriods, long throttledTime) {
        public Cpu {
            perCpuUsage = List.copyOf(perCpuUsage);
        }
    }

    /**
     * @param usage bytes in use (v1 memory.usage_in_bytes, v2 memory.current)
     * @param maxUsage the high-water mark (v1 only; 0 on v2)
     * @param limit the limit, never above the host's memory (Docker's rule for an unlimited cgroup)
     * @param failcnt times the limit was hit (v1 only)
     * @param stats memory.stat as the kernel names its keys
     */
    public record Memory(long usage, long maxUsage, long limit, long failcnt, Map<String, Long> stats) {
        public Memory {
            stats = Map.copyOf(stats);
        }
    }

    /** @param limit empty when unlimited */
    public record Pids(long current, OptionalLong limit) {
    }

    /** Docker's blkio_stats lists; op is the kernel's word (v1: Read, Write, Sync, Async, Discard, Total; v2: read, write). */
    public record Blkio(List<BlkioEntry> serviceBytes, List<BlkioEntry> serviced) {
        public Blkio {
            serviceBytes = List.copyOf(serviceBytes);
            serviced = List.copyOf(serviced);
        }
    }

    public record BlkioEntry(long major, long minor, String op, long value) {
    }

    public record Network(long rxBytes, long rxPackets, long rxErrors, long rxDropped, long txBytes, long txPackets,
                          long txErrors, long txDropped) {
    }
}
