package dev.tallyman.runtime.oci;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.tallyman.spi.network.Attachment;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * Turns a {@link ContainerSpecification} into an OCI bundle: {@code config.json} (runtime spec 1.0.2) with
 * Docker's defaults, plus the {@code hosts}, {@code hostname} and {@code resolv.conf} files it bind-mounts.
 * The rootfs stays where it is; config.json points at it by absolute path.
 */
public final class OciSpecWriter {
    public static final String CONFIG = "config.json";
    public static final String HOSTS = "hosts";
    public static final String HOSTNAME = "hostname";
    public static final String RESOLV_CONF = "resolv.conf";

    static final List<String> MASKED_PATHS = List.of(
            "/proc/asound", "/proc/acpi", "/proc/kcore", "/proc/keys", "/proc/latency_stats", "/proc/timer_list",
            "/proc/timer_stats", "/proc/sched_debug", "/proc/scsi", "/sys/firmware", "/sys/devices/virtual/powercap");
    static final List<String> READONLY_PATHS = List.of(
            "/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger");
    static final long DOCKER_OPEN_FILES = 1_048_576;
    /** The CFS period Docker uses for --cpus, in microseconds. */
    static final long CPU_PERIOD = 100_000;

    private static final ObjectMapper JSON = new ObjectMapper();

    private final HostProfile host;

    public OciSpecWriter(HostProfile host) {
        this.host = host;
    }

    /** A writer for this host ({@link HostProfile#current()}). */
    public static OciSpecWriter forHost() {
        return new OciSpecWriter(HostProfile.current());
    }

    /**
     * Writes the bundle into {@code bundle} (created if missing; files there are replaced) and returns the path
     * of config.json.
     *
     * @throws SpecificationException when the user, a group or a capability cannot be resolved
     */
    public Path write(ContainerSpecification spec, Path bundle) {
        ObjectNode config = config(spec, bundle);
        try {
            Files.createDirectories(bundle);
            Files.writeString(bundle.resolve(HOSTNAME), spec.hostname() + "\n");
            Files.writeString(bundle.resolve(HOSTS), hosts(spec));
            Files.writeString(bundle.resolve(RESOLV_CONF), resolvConf(spec.network()));
            Path file = bundle.resolve(CONFIG);
            Files.write(file, JSON.writerWithDefaultPrettyPrinter().writeValueAsBytes(config));
            return file;
        } catch (IOException e) {
            throw new UncheckedIOException("write bundle " + bundle + ": " + e.getMessage(), e);
        }
    }

    /** The config.json content for {@code spec} with its bundle at {@code bundle}; reads only the rootfs' user files. */
    public ObjectNode config(ContainerSpecification spec, Path bundle) {
        ObjectNode config = JSON.createObjectNode();
        config.put("ociVersion", "1.0.2");
        config.set("process", process(spec));
        ObjectNode root = config.putObject("root");
        root.put("path", spec.rootfs().toString());
        root.put("readonly", spec.readonlyRootfs());
        config.put("hostname", spec.hostname());
        config.set("mounts", mounts(spec, bundle));
        config.set("linux", linux(spec));
        return config;
    }

    private ObjectNode process(ContainerSpecification spec) {
        ContainerProcess process = spec.process();
        ObjectNode node = JSON.createObjectNode();
        node.put("terminal", process.tty());
        ContainerUser user = ContainerUser.resolve(spec.rootfs(), process.user()).withGroups(spec.rootfs(), process.groupAdd());
        ObjectNode userNode = node.putObject("user");
        userNode.put("uid", user.uid());
        userNode.put("gid", user.gid());
        if (!user.additionalGids().isEmpty()) {
            ArrayNode gids = userNode.putArray("additionalGids");
            user.additionalGids().forEach(gids::add);
        }
        List<String> args = new ArrayList<>();
        if (spec.init().isPresent()) {
            // Docker's --init: its init runs as pid 1, reaps zombies and forwards signals to the command.
            args.add(ContainerSpecification.INIT_PATH);
            args.add("--");
        }
        args.addAll(process.args());
        strings(node.putArray("args"), args);
        strings(node.putArray("env"), ProcessEnvironment.merge(process.env(), spec.hostname(), process.tty()));
        node.put("cwd", process.cwd());
        List<String> caps = Capabilities.resolve(spec.capAdd(), spec.capDrop(), spec.privileged(),
                host.capabilityBoundingSet());
        ObjectNode capabilities = node.putObject("capabilities");
        // Not inheritable or ambient: like Docker since 23.0, an exec'd non-root program gains nothing.
        for (String set : List.of("bounding", "effective", "permitted")) {
            strings(capabilities.putArray(set), caps);
        }
        ArrayNode rlimits = node.putArray("rlimits");
        if (spec.ulimits().stream().noneMatch(ulimit -> ulimit.name().equals("nofile"))) {
            // Docker's 1048576, but never above our own hard limit: raising it needs CAP_SYS_RESOURCE.
            long openFiles = Math.min(DOCKER_OPEN_FILES, host.openFilesHardLimit());
            rlimit(rlimits, "RLIMIT_NOFILE", openFiles, openFiles);
        }
        for (Ulimit ulimit : spec.ulimits()) {
            rlimit(rlimits, ulimit.rlimitType(), ulimit.hard(), ulimit.soft());
        }
        node.put("noNewPrivileges", process.noNewPrivileges());
        node.put("oomScoreAdj", 0);
        return node;
    }

    private ArrayNode mounts(ContainerSpecification spec, Path bundle) {
        boolean privileged = spec.privileged();
        ArrayNode mounts = JSON.createArrayNode();
        mount(mounts, "/proc", "proc", "proc", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev", "tmpfs", "tmpfs", "nosuid", "strictatime", "mode=755", "size=65536k");
        mount(mounts, "/dev/pts", "devpts", "devpts",
                "nosuid", "noexec", "newinstance", "ptmxmode=0666", "mode=0620", "gid=5");
        mount(mounts, "/sys", "sysfs", "sysfs", "nosuid", "noexec", "nodev", privileged ? "rw" : "ro");
        mount(mounts, "/sys/fs/cgroup", "cgroup", "cgroup", "nosuid", "noexec", "nodev", "relatime",
                privileged ? "rw" : "ro");
        mount(mounts, "/dev/mqueue", "mqueue", "mqueue", "nosuid", "noexec", "nodev");
        mount(mounts, "/dev/shm", "tmpfs", "shm", "nosuid", "noexec", "nodev", "mode=1777", "size=67108864");
        // Docker makes these read-only together with the rootfs.
        String access = spec.readonlyRootfs() ? "ro" : "rw";
        mount(mounts, "/etc/resolv.conf", "bind", bundle.resolve(RESOLV_CONF).toString(), "rbind", "rprivate", access);
        mount(mounts, "/etc/hostname", "bind", bundle.resolve(HOSTNAME).toString(), "rbind", "rprivate", access);
        mount(mounts, "/etc/hosts", "bind", bundle.resolve(HOSTS).toString(), "rbind", "rprivate", access);
        for (Mount user : spec.mounts()) {
            List<String> options = new ArrayList<>();
            if (user.type() == Mount.Type.BIND) {
                options.add("rbind");
                options.add("rprivate");
                options.addAll(user.options());
                mount(mounts, user.destination(), "bind", user.source(), options.toArray(String[]::new));
            } else {
                options.addAll(TmpfsOptions.merge(user.options()));
                mount(mounts, user.destination(), "tmpfs", "tmpfs", options.toArray(String[]::new));
            }
        }
        spec.init().ifPresent(binary -> mount(mounts, ContainerSpecification.INIT_PATH, "bind", binary.toString(),
                "bind", "ro"));
        return mounts;
    }

    private ObjectNode linux(ContainerSpecification spec) {
        ObjectNode linux = JSON.createObjectNode();
        linux.put("cgroupsPath", spec.cgroupsPath());
        linux.set("resources", resources(spec));
        ArrayNode namespaces = linux.putArray("namespaces");
        for (String type : List.of("pid", "ipc", "uts", "mount")) {
            namespaces.addObject().put("type", type);
        }
        Attachment network = spec.network();
        switch (network.mode()) {
            case HOST -> { }
            case NEW -> namespaces.addObject().put("type", "network");
            case PATH -> namespaces.addObject().put("type", "network")
                    .put("path", network.namespacePath().orElseThrow().toString());
        }
        if (!spec.privileged()) {
            strings(linux.putArray("maskedPaths"), MASKED_PATHS);
            strings(linux.putArray("readonlyPaths"), READONLY_PATHS);
        }
        return linux;
    }

    private ObjectNode resources(ContainerSpecification spec) {
        ObjectNode resources = JSON.createObjectNode();
        ArrayNode devices = resources.putArray("devices");
        if (spec.privileged()) {
            devices.addObject().put("allow", true).put("access", "rwm");
        } else {
            devices.addObject().put("allow", false).put("access", "rwm");
            // Docker's default allow-list: mknod of anything, then null, random, full, tty, zero, urandom,
            // pty slaves, ptmx and tun.
            device(devices, "c", null, null, "m");
            device(devices, "b", null, null, "m");
            device(devices, "c", 1L, 3L, "rwm");
            device(devices, "c", 1L, 8L, "rwm");
            device(devices, "c", 1L, 7L, "rwm");
            device(devices, "c", 5L, 0L, "rwm");
            device(devices, "c", 1L, 5L, "rwm");
            device(devices, "c", 1L, 9L, "rwm");
            device(devices, "c", 136L, null, "rwm");
            device(devices, "c", 5L, 2L, "rwm");
            device(devices, "c", 10L, 200L, "rwm");
        }
        Resources limits = spec.resources();
        if (limits.memoryBytes().isPresent()) {
            ObjectNode memory = resources.putObject("memory");
            memory.put("limit", limits.memoryBytes().getAsLong());
            // memory.swap is memory plus swap, as Docker's --memory-swap; -1 (unlimited) is left out as Docker does.
            limits.memorySwapBytes().stream().filter(swap -> swap > 0).forEach(swap -> memory.put("swap", swap));
        }
        boolean nano = limits.nanoCpus().isPresent() && limits.nanoCpus().getAsLong() > 0;
        if (limits.cpuShares().isPresent() || limits.cpuQuota().isPresent() || limits.cpuPeriod().isPresent()
                || nano || limits.cpusetCpus().isPresent() || limits.cpusetMems().isPresent()) {
            ObjectNode cpu = resources.putObject("cpu");
            limits.cpuShares().ifPresent(value -> cpu.put("shares", value));
            if (nano) {
                // --cpus: a quota of that many periods of 100 ms.
                cpu.put("quota", limits.nanoCpus().getAsLong() * CPU_PERIOD / 1_000_000_000L);
                cpu.put("period", CPU_PERIOD);
            }
            limits.cpuQuota().ifPresent(value -> cpu.put("quota", value));
            limits.cpuPeriod().ifPresent(value -> cpu.put("period", value));
            limits.cpusetCpus().ifPresent(value -> cpu.put("cpus", value));
            limits.cpusetMems().ifPresent(value -> cpu.put("mems", value));
        }
        // Docker: zero or negative means unlimited, which runc spells -1.
        limits.pidsLimit().ifPresent(limit -> resources.putObject("pids").put("limit", limit > 0 ? limit : -1));
        return resources;
    }

    private String hosts(ContainerSpecification spec) throws IOException {
        if (spec.network().mode() == Attachment.Mode.HOST) {
            return Files.isRegularFile(host.hosts()) ? Files.readString(host.hosts()) : "";
        }
        StringBuilder text = new StringBuilder()
                .append("127.0.0.1\tlocalhost\n")
                .append("::1\tlocalhost ip6-localhost ip6-loopback\n")
                .append("fe00::0\tip6-localnet\n")
                .append("ff00::0\tip6-mcastprefix\n")
                .append("ff02::1\tip6-allnodes\n")
                .append("ff02::2\tip6-allrouters\n");
        for (String address : spec.network().addresses()) {
            int slash = address.indexOf('/');
            text.append(slash < 0 ? address : address.substring(0, slash)).append('\t').append(spec.hostname())
                    .append('\n');
        }
        return text.toString();
    }

    /**
     * HOST shares the host's namespace, so the host's file works as is. In a new or driver-made namespace the
     * host's loopback resolvers (127.x, ::1, e.g. systemd-resolved) are someone else's loopback, so those
     * nameserver lines are dropped and the rest is kept; Docker does the same. A loopback-only container then
     * has no reachable resolver, which is the truth.
     */
    private String resolvConf(Attachment network) throws IOException {
        if (!Files.isRegularFile(host.resolvConf())) {
            return "";
        }
        List<String> lines = Files.readAllLines(host.resolvConf(), StandardCharsets.UTF_8);
        if (network.mode() == Attachment.Mode.HOST) {
            return String.join("\n", lines) + "\n";
        }
        StringBuilder text = new StringBuilder();
        for (String line : lines) {
            String[] fields = line.trim().split("\\s+");
            boolean loopbackServer = fields.length >= 2 && fields[0].equals("nameserver")
                    && (fields[1].startsWith("127.") || fields[1].equals("::1"));
            if (!loopbackServer) {
                text.append(line).append('\n');
            }
        }
        return text.toString();
    }

    private static void mount(ArrayNode mounts, String destination, String type, String source, String... options) {
        ObjectNode mount = mounts.addObject();
        mount.put("destination", destination);
        mount.put("type", type);
        mount.put("source", source);
        strings(mount.putArray("options"), List.of(options));
    }

    /** OCI rlimits are unsigned; Docker's -1 (unlimited) becomes RLIM_INFINITY. */
    private static void rlimit(ArrayNode rlimits, String type, long hard, long soft) {
        ObjectNode rlimit = rlimits.addObject();
        rlimit.put("type", type);
        rlimit.put("hard", unsigned(hard));
        rlimit.put("soft", unsigned(soft));
    }

    private static java.math.BigInteger unsigned(long value) {
        return new java.math.BigInteger(Long.toUnsignedString(value));
    }

    private static void device(ArrayNode devices, String type, Long major, Long minor, String access) {
        ObjectNode device = devices.addObject().put("allow", true).put("type", type);
        if (major != null) {
            device.put("major", major);
        }
        if (minor != null) {
            device.put("minor", minor);
        }
        device.put("access", access);
    }

    private static void strings(ArrayNode array, List<String> values) {
        values.forEach(array::add);
    }
}
