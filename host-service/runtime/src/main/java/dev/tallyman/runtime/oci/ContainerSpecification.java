package dev.tallyman.runtime.oci;

import dev.tallyman.spi.network.Attachment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Everything Tallyman wants from one container, before it becomes an OCI {@code config.json}.
 *
 * @param id the container id; also runc's id and conmon's {@code -c}
 * @param rootfs the prepared root filesystem (a storage driver's mount or a plain folder)
 * @param process what runs
 * @param hostname the container's hostname (its UTS namespace always is new)
 * @param network how the network namespace is set up
 * @param readonlyRootfs Docker's {@code --read-only}
 * @param capAdd {@code --cap-add} names, with or without {@code CAP_}, or {@code ALL}
 * @param capDrop {@code --cap-drop} names, with or without {@code CAP_}, or {@code ALL}
 * @param privileged Docker's {@code --privileged}: every capability the host allows, all devices, no masked paths
 * @param mounts user mounts, after the default ones
 * @param cgroupsPath the cgroup path runc uses (cgroupfs), by default {@code /tallyman/<id>}
 * @param resources cgroup limits (validated: see {@link ResourceValidation})
 * @param ulimits {@code --ulimit}s; one for nofile replaces the default open-files limit
 * @param init Docker's {@code --init}: the host binary (a static tini) bind-mounted read-only at
 *             {@link #INIT_PATH} and run as pid 1 with {@code --} before the command; empty for none
 */
public record ContainerSpecification(String id, Path rootfs, ContainerProcess process, String hostname,
                                     Attachment network, boolean readonlyRootfs, List<String> capAdd,
                                     List<String> capDrop, boolean privileged, List<Mount> mounts,
                                     String cgroupsPath, Resources resources, List<Ulimit> ulimits,
                                     Optional<Path> init) {
    /** Where Docker puts its init binary inside the container. */
    public static final String INIT_PATH = "/sbin/docker-init";
    /** Debian's static tini (package tini), which is what Docker ships as docker-init. */
    public static final Path DEFAULT_INIT_BINARY = Path.of("/usr/bin/tini-static");

    // runc accepts ids of this shape; checking here names the bad id before any file is written.
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

    public ContainerSpecification {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(resources, "resources");
        ulimits = List.copyOf(ulimits);
        Objects.requireNonNull(init, "init");
        if (init.isPresent() && !init.get().isAbsolute()) {
            throw new IllegalArgumentException("the init binary path must be absolute: " + init.get());
        }
        if (id == null || !ID.matcher(id).matches()) {
            throw new IllegalArgumentException("invalid container id: " + id);
        }
        if (!rootfs.isAbsolute()) {
            throw new IllegalArgumentException("the rootfs path must be absolute: " + rootfs);
        }
        hostname = hostname == null || hostname.isBlank() ? id.substring(0, Math.min(12, id.length())) : hostname;
        capAdd = List.copyOf(capAdd);
        capDrop = List.copyOf(capDrop);
        mounts = List.copyOf(mounts);
        cgroupsPath = cgroupsPath == null || cgroupsPath.isBlank() ? defaultCgroupsPath(id) : cgroupsPath;
    }

    /** The first shape of this record, without ulimits and init; kept for existing callers. */
    public ContainerSpecification(String id, Path rootfs, ContainerProcess process, String hostname,
                                  Attachment network, boolean readonlyRootfs, List<String> capAdd,
                                  List<String> capDrop, boolean privileged, List<Mount> mounts,
                                  String cgroupsPath, Resources resources) {
        this(id, rootfs, process, hostname, network, readonlyRootfs, capAdd, capDrop, privileged, mounts,
                cgroupsPath, resources, List.of(), Optional.empty());
    }

    /** Where Tallyman puts a container's cgroups: {@code /tallyman/<id>} in every v1 hierarchy. */
    public static String defaultCgroupsPath(String id) {
        return "/tallyman/" + id;
    }

    /** Starts a specification with Docker's defaults: hostname = first 12 characters of the id, loopback-only network. */
    public static Builder builder(String id, Path rootfs, ContainerProcess process) {
        return new Builder(id, rootfs, process);
    }

    /** Collects the optional parts; every one has Docker's default. */
    public static final class Builder {
        private final String id;
        private final Path rootfs;
        private final ContainerProcess process;
        private String hostname;
        private Attachment network = Attachment.loopbackOnly();
        private boolean readonlyRootfs;
        private final List<String> capAdd = new ArrayList<>();
        private final List<String> capDrop = new ArrayList<>();
        private boolean privileged;
        private final List<Mount> mounts = new ArrayList<>();
        private String cgroupsPath;
        private Resources resources = Resources.none();
        private final List<Ulimit> ulimits = new ArrayList<>();
        private Optional<Path> init = Optional.empty();

        private Builder(String id, Path rootfs, ContainerProcess process) {
            this.id = id;
            this.rootfs = rootfs;
            this.process = process;
        }

        public Builder hostname(String value) { this.hostname = value; return this; }
        public Builder network(Attachment value) { this.network = value; return this; }
        public Builder readonlyRootfs(boolean value) { this.readonlyRootfs = value; return this; }
        public Builder capAdd(List<String> values) { capAdd.addAll(values); return this; }
        public Builder capDrop(List<String> values) { capDrop.addAll(values); return this; }
        public Builder privileged(boolean value) { this.privileged = value; return this; }
        public Builder mount(Mount value) { mounts.add(value); return this; }
        public Builder cgroupsPath(String value) { this.cgroupsPath = value; return this; }
        public Builder resources(Resources value) { this.resources = value; return this; }
        public Builder ulimit(Ulimit value) { ulimits.add(value); return this; }
        public Builder ulimits(List<Ulimit> values) { ulimits.addAll(values); return this; }
        /** Docker's {@code --tmpfs destination:options}; options as Docker's comma-separated text, may be empty. */
        public Builder tmpfs(String destination, String options) {
            mounts.add(Mount.tmpfs(destination, options == null || options.isEmpty() ? List.of()
                    : List.of(options.split(","))));
            return this;
        }
        /** {@code --init} with {@link #DEFAULT_INIT_BINARY}. */
        public Builder init(boolean value) { this.init = value ? Optional.of(DEFAULT_INIT_BINARY) : Optional.empty(); return this; }
        /** {@code --init} with the given host binary (Docker's {@code init-path}). */
        public Builder init(Path binary) { this.init = Optional.of(binary); return this; }

        public ContainerSpecification build() {
            return new ContainerSpecification(id, rootfs, process, hostname, network, readonlyRootfs, capAdd,
                    capDrop, privileged, mounts, cgroupsPath, resources, ulimits, init);
        }
    }
}
