package dev.tallyman.runtime.oci;

import dev.tallyman.spi.network.Attachment;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
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
 * @param resources cgroup limits
 */
public record ContainerSpecification(String id, Path rootfs, ContainerProcess process, String hostname,
                                     Attachment network, boolean readonlyRootfs, List<String> capAdd,
                                     List<String> capDrop, boolean privileged, List<Mount> mounts,
                                     String cgroupsPath, Resources resources) {
    // runc accepts ids of this shape; checking here names the bad id before any file is written.
    private static final Pattern ID = Pattern.compile("[A-Za-z0-9][A-Za-z0-9_.+-]{0,127}");

    public ContainerSpecification {
        Objects.requireNonNull(rootfs, "rootfs");
        Objects.requireNonNull(process, "process");
        Objects.requireNonNull(network, "network");
        Objects.requireNonNull(resources, "resources");
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

        public ContainerSpecification build() {
            return new ContainerSpecification(id, rootfs, process, hostname, network, readonlyRootfs, capAdd,
                    capDrop, privileged, mounts, cgroupsPath, resources);
        }
    }
}
