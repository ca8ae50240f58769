package dev.tallyman.runtime.cgroups;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Clock;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.OptionalLong;

/**
 * Reads a container's counters from its cgroup files (v1 or v2, per {@link CgroupPaths}) and /proc, the way
 * Docker's stats collector reads them. A file that is missing (a controller not mounted, a kernel without a
 * counter) reads as zero rather than failing the whole sample.
 */
public final class CgroupStats {
    /** USER_HZ: the unit of /proc/stat and cpuacct.stat; 100 on every Linux architecture Docker supports. */
    static final long CLOCK_TICKS = 100;
    private static final long NANOS_PER_TICK = 1_000_000_000L / CLOCK_TICKS;

    private final Path proc;
    private final Clock clock;

    public CgroupStats(Path proc, Clock clock) {
        this.proc = proc;
        this.clock = clock;
    }

    /** Reads /proc of this host, timestamps with the system clock. */
    public static CgroupStats forHost() {
        return new CgroupStats(Path.of("/proc"), Clock.systemUTC());
    }

    /**
     * Takes one sample.
     *
     * @param pid a process inside the container's network namespace (its init), for the network counters;
     *            empty for none
     */
    public StatsSample read(CgroupPaths paths, OptionalInt pid) {
        java.time.Instant now = clock.instant();
        StatsSample.Cpu cpu = paths.isV2() ? cpuV2(paths) : cpuV1(paths);
        StatsSample.Memory memory = paths.isV2() ? memoryV2(paths) : memoryV1(paths);
        StatsSample.Pids pids = pids(paths);
        StatsSample.Blkio blkio = paths.isV2() ? blkioV2(paths) : blkioV1(paths);
        Map<String, StatsSample.Network> networks = pid.isPresent()
                ? networks(proc.resolve(Integer.toString(pid.getAsInt())).resolve("net/dev")) : Map.of();
        return new StatsSample(now, cpu, memory, pids, blkio, networks);
    }

    private StatsSample.Cpu cpuV1(CgroupPaths paths) {
        Optional<Path> cpuacct = paths.folder("cpuacct");
        long total = cpuacct.map(dir -> number(dir.resolve("cpuacct.usage"))).orElse(0L);
        List<Long> perCpu = new ArrayList<>();
        cpuacct.map(dir -> text(dir.resolve("cpuacct.usage_percpu"))).ifPresent(text -> {
            for (String field : text.trim().split("\\s+")) {
                if (!field.isEmpty()) {
                    perCpu.add(Long.parseLong(field));
                }
            }
        });
        Map<String, Long> times = cpuacct.map(dir -> keyed(dir.resolve("cpuacct.stat"))).orElse(Map.of());
        Map<String, Long> cfs = paths.folder("cpu").map(dir -> keyed(dir.resolve("cpu.stat"))).orElse(Map.of());
        long[] system = systemUsage();
        return new StatsSample.Cpu(total, perCpu, times.getOrDefault("system", 0L) * NANOS_PER_TICK,
                times.getOrDefault("user", 0L) * NANOS_PER_TICK, system[0], (int) system[1],
                cfs.getOrDefault("nr_periods", 0L), cfs.getOrDefault("nr_throttled", 0L),
                cfs.getOrDefault("throttled_time", 0L));
    }

    private StatsSample.Cpu cpuV2(CgroupPaths paths) {
        Map<String, Long> stat = keyed(paths.unified().orElseThrow().resolve("cpu.stat"));
        long[] system = systemUsage();
        return new StatsSample.Cpu(stat.getOrDefault("usage_usec", 0L) * 1000, List.of(),
                stat.getOrDefault("system_usec", 0L) * 1000, stat.getOrDefault("user_usec", 0L) * 1000, system[0],
                (int) system[1], stat.getOrDefault("nr_periods", 0L), stat.getOrDefault("nr_throttled", 0L),
                stat.getOrDefault("throttled_usec", 0L) * 1000);
    }

    private StatsSample.Memory memoryV1(CgroupPaths paths) {
        Optional<Path> dir = paths.folder("memory");
        if (dir.isEmpty()) {
            return new StatsSample.Memory(0, 0, 0, 0, Map.of());
        }
        Path memory = dir.get();
        long limit = number(memory.resolve("memory.limit_in_bytes"));
        return new StatsSample.Memory(number(memory.resolve("memory.usage_in_bytes")),
                number(memory.resolve("memory.max_usage_in_bytes")), capToHost(limit),
                number(memory.resolve("memory.failcnt")), keyed(memory.resolve("memory.stat")));
    }

    private StatsSample.Memory memoryV2(CgroupPaths paths) {
        Path dir = paths.unified().orElseThrow();
        String max = text(dir.resolve("memory.max")).trim();
        long limit = max.isEmpty() || max.equals("max") ? Long.MAX_VALUE : Long.parseLong(max);
        return new StatsSample.Memory(number(dir.resolve("memory.current")), 0, capToHost(limit), 0,
                keyed(dir.resolve("memory.stat")));
    }

    private StatsSample.Pids pids(CgroupPaths paths) {
        Optional<Path> dir = paths.folder("pids");
        if (dir.isEmpty()) {
            return new StatsSample.Pids(0, OptionalLong.empty());
        }
        String max = text(dir.get().resolve("pids.max")).trim();
        OptionalLong limit = max.isEmpty() || max.equals("max") ? OptionalLong.empty()
                : OptionalLong.of(Long.parseLong(max));
        return new StatsSample.Pids(number(dir.get().resolve("pids.current")), limit);
    }

    private StatsSample.Blkio blkioV1(CgroupPaths paths) {
        Optional<Path> dir = paths.folder("blkio");
        if (dir.isEmpty()) {
            return new StatsSample.Blkio(List.of(), List.of());
        }
        return new StatsSample.Blkio(
                blkioEntries(firstExisting(dir.get(), "blkio.throttle.io_service_bytes_recursive",
                        "blkio.throttle.io_service_bytes")),
                blkioEntries(firstExisting(dir.get(), "blkio.throttle.io_serviced_recursive",
                        "blkio.throttle.io_serviced")));
    }

    /** v2 io.stat: {@code 8:0 rbytes=1 wbytes=2 rios=3 wios=4 dbytes=0 dios=0}; Docker reports read and write. */
    private StatsSample.Blkio blkioV2(CgroupPaths paths) {
        List<StatsSample.BlkioEntry> bytes = new ArrayList<>();
        List<StatsSample.BlkioEntry> ios = new ArrayList<>();
        for (String line : text(paths.unified().orElseThrow().resolve("io.stat")).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length < 2 || !fields[0].contains(":")) {
                continue;
            }
            String[] device = fields[0].split(":");
            long major = Long.parseLong(device[0]);
            long minor = Long.parseLong(device[1]);
            Map<String, Long> values = new LinkedHashMap<>();
            for (int i = 1; i < fields.length; i++) {
                int eq = fields[i].indexOf('=');
                if (eq > 0) {
                    values.put(fields[i].substring(0, eq), Long.parseLong(fields[i].substring(eq + 1)));
                }
            }
            bytes.add(new StatsSample.BlkioEntry(major, minor, "read", values.getOrDefault("rbytes", 0L)));
            bytes.add(new StatsSample.BlkioEntry(major, minor, "write", values.getOrDefault("wbytes", 0L)));
            ios.add(new StatsSample.BlkioEntry(major, minor, "read", values.getOrDefault("rios", 0L)));
            ios.add(new StatsSample.BlkioEntry(major, minor, "write", values.getOrDefault("wios", 0L)));
        }
        return new StatsSample.Blkio(bytes, ios);
    }

    /** v1 lines {@code 8:0 Read 4096}; the closing {@code Total 4096} line has no device and is left out. */
    private List<StatsSample.BlkioEntry> blkioEntries(Optional<Path> file) {
        List<StatsSample.BlkioEntry> entries = new ArrayList<>();
        if (file.isEmpty()) {
            return entries;
        }
        for (String line : text(file.get()).split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length != 3 || !fields[0].contains(":")) {
                continue;
            }
            String[] device = fields[0].split(":");
            entries.add(new StatsSample.BlkioEntry(Long.parseLong(device[0]), Long.parseLong(device[1]), fields[1],
                    Long.parseLong(fields[2])));
        }
        return entries;
    }

    /** /proc/net/dev: two header lines, then {@code name: rx bytes packets errs drop fifo frame compressed multicast tx ...}. */
    static Map<String, StatsSample.Network> parseNetDev(String text) {
        Map<String, StatsSample.Network> networks = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            int colon = line.indexOf(':');
            if (colon < 0 || line.contains("|")) {
                continue;
            }
            String name = line.substring(0, colon).trim();
            String[] f = line.substring(colon + 1).trim().split("\\s+");
            if (f.length < 16) {
                continue;
            }
            networks.put(name, new StatsSample.Network(Long.parseLong(f[0]), Long.parseLong(f[1]),
                    Long.parseLong(f[2]), Long.parseLong(f[3]), Long.parseLong(f[8]), Long.parseLong(f[9]),
                    Long.parseLong(f[10]), Long.parseLong(f[11])));
        }
        return networks;
    }

    private Map<String, StatsSample.Network> networks(Path netDev) {
        return parseNetDev(text(netDev));
    }

    /**
     * Docker's system_cpu_usage: the first seven fields of the "cpu" line of /proc/stat (user, nice, system,
     * idle, iowait, irq, softirq) in ns, and the count of "cpuN" lines as online_cpus.
     */
    private long[] systemUsage() {
        long ticks = 0;
        int cpus = 0;
        for (String line : text(proc.resolve("stat")).split("\n")) {
            if (line.startsWith("cpu ")) {
                String[] fields = line.trim().split("\\s+");
                for (int i = 1; i <= 7 && i < fields.length; i++) {
                    ticks += Long.parseLong(fields[i]);
                }
            } else if (line.startsWith("cpu")) {
                cpus++;
            }
        }
        return new long[] {ticks * NANOS_PER_TICK, cpus};
    }

    /** An unlimited cgroup shows a huge number; Docker shows the host's memory instead. */
    private long capToHost(long limit) {
        for (String line : text(proc.resolve("meminfo")).split("\n")) {
            if (line.startsWith("MemTotal:")) {
                long total = Long.parseLong(line.substring("MemTotal:".length()).trim().split("\\s+")[0]) * 1024;
                return total > 0 && limit > total ? total : limit;
            }
        }
        return limit;
    }

    private static Optional<Path> firstExisting(Path dir, String... names) {
        for (String name : names) {
            if (Files.isRegularFile(dir.resolve(name))) {
                return Optional.of(dir.resolve(name));
            }
        }
        return Optional.empty();
    }

    /** Lines of {@code key value}, as memory.stat, cpu.stat and cpuacct.stat are written. */
    static Map<String, Long> parseKeyed(String text) {
        Map<String, Long> values = new LinkedHashMap<>();
        for (String line : text.split("\n")) {
            String[] fields = line.trim().split("\\s+");
            if (fields.length == 2) {
                try {
                    values.put(fields[0], Long.parseUnsignedLong(fields[1]));
                } catch (NumberFormatException e) {
                    // Not a counter (a future kernel's other format); Docker skips such lines too.
                }
            }
        }
        return values;
    }

    private static Map<String, Long> keyed(Path file) {
        return parseKeyed(text(file));
    }

    private static long number(Path file) {
        String value = text(file).trim();
        if (value.isEmpty()) {
            return 0;
        }
        try {
            return Long.parseUnsignedLong(value);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static String text(Path file) {
        try {
            return Files.readString(file);
        } catch (NoSuchFileException e) {
            return "";
        } catch (IOException e) {
            // ENODEV and the like: the cgroup went away while we read it (the container ended).
            if (!Files.exists(file)) {
                return "";
            }
            throw new UncheckedIOException("read " + file + ": " + e.getMessage(), e);
        }
    }
}
