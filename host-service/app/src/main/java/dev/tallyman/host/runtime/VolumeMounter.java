package dev.tallyman.host.runtime;

import dev.tallyman.audit.event.ContainerMount;
import dev.tallyman.audit.event.ContainerSpec;
import dev.tallyman.runtime.oci.Mount;
import dev.tallyman.spi.linux.Mounts;
import dev.tallyman.spi.linux.PosixFiles;
import dev.tallyman.spi.volume.VolumeDriver;
import dev.tallyman.spi.volume.VolumeMount;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Stream;
import org.jboss.logging.Logger;

/**
 * The kernel side of a container's mounts: turns its binds, volumes and tmpfs mounts into OCI mounts for runc.
 * A volume whose driver describes a mount of its own (a tmpfs or bind-backed volume) gets it at its mountpoint
 * before its first running user and loses it after the last; an empty volume gets the image's content first
 * (copy-up) unless the mount says nocopy. Knows nothing of events.
 */
public final class VolumeMounter {
    private static final Logger LOG = Logger.getLogger(VolumeMounter.class);

    private final Map<String, VolumeDriver> drivers;
    private final Function<String, Optional<String>> driverOfVolume;
    /** Per volume with a mount of its own: the containers whose run holds it. */
    private final Map<String, Set<String>> holders = new HashMap<>();

    public VolumeMounter(Map<String, VolumeDriver> drivers, Function<String, Optional<String>> driverOfVolume) {
        this.drivers = Map.copyOf(drivers);
        this.driverOfVolume = driverOfVolume;
    }

    /** The OCI mounts for one run, parents before children; volume mounts and copy-up done. */
    public synchronized List<Mount> prepare(String containerId, ContainerSpec spec, Path rootfs) throws IOException {
        List<ContainerMount> ordered = new ArrayList<>(spec.mounts());
        ordered.sort(Comparator.comparingInt(m -> Path.of(m.destination()).getNameCount()));
        List<Mount> mounts = new ArrayList<>();
        for (ContainerMount m : ordered) {
            String access = m.readOnly() ? "ro" : "rw";
            switch (m.type()) {
                case ContainerMount.BIND -> {
                    Path source = Path.of(m.source());
                    if (!Files.exists(source) && m.origin().equals("binds")) {
                        // -v creates a missing host folder, as Docker does; --mount was refused at create.
                        Files.createDirectories(source);
                    }
                    List<String> options = new ArrayList<>(List.of(access));
                    if (!m.propagation().isEmpty()) {
                        options.add(m.propagation());
                    }
                    mounts.add(new Mount(Mount.Type.BIND, m.source(), m.destination(), options));
                }
                case ContainerMount.VOLUME -> {
                    Path mountpoint = hold(containerId, m.source());
                    if (!m.noCopy()) {
                        copyUp(rootfs, m.destination(), mountpoint);
                    }
                    mounts.add(new Mount(Mount.Type.BIND, mountpoint.toString(), m.destination(), List.of(access)));
                }
                case ContainerMount.TMPFS -> {
                    List<String> options = new ArrayList<>();
                    if (!m.tmpfsOptions().isEmpty()) {
                        options.addAll(List.of(m.tmpfsOptions().split(",")));
                    }
                    if (m.readOnly()) {
                        options.add("ro");
                    }
                    mounts.add(Mount.tmpfs(m.destination(), options));
                }
                default -> throw new IOException("mount " + m.destination() + ": unknown mount type " + m.type());
            }
        }
        return mounts;
    }

    /** After a run: volumes this container held lose their own mount when no other run holds them. Safe to repeat. */
    public synchronized void release(String containerId, ContainerSpec spec) throws IOException {
        IOException failure = null;
        for (ContainerMount m : spec.mounts()) {
            if (!m.mountsVolume()) {
                continue;
            }
            Set<String> held = holders.get(m.source());
            if (held == null) {
                continue;
            }
            held.remove(containerId);
            if (held.isEmpty()) {
                holders.remove(m.source());
                try {
                    Optional<VolumeMount> described = describe(m.source());
                    if (described.isPresent() && !described.get().mounts().isEmpty()) {
                        Mounts.unmount(described.get().mountpoint());
                    }
                } catch (IOException | RuntimeException e) {
                    failure = new IOException("unmount volume " + m.source() + ": " + e.getMessage(), e);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /** At boot: a container the record has running holds its volumes' mounts, which are still in place. */
    public synchronized void adopt(String containerId, ContainerSpec spec) {
        for (ContainerMount m : spec.mounts()) {
            if (m.mountsVolume()) {
                holders.computeIfAbsent(m.source(), k -> new HashSet<>()).add(containerId);
            }
        }
    }

    /**
     * At boot, after the record and the machine agree: unmounts every volume mountpoint no running container holds
     * (left by a crash). Returns the mountpoints it unmounted.
     */
    public synchronized List<Path> unmountUnheld() {
        List<Path> unmounted = new ArrayList<>();
        for (VolumeDriver driver : drivers.values()) {
            for (var info : driver.list()) {
                if (holders.containsKey(info.name())) {
                    continue;
                }
                try {
                    if (Mounts.isMountPoint(info.mountpoint())) {
                        Mounts.unmount(info.mountpoint());
                        unmounted.add(info.mountpoint());
                    }
                } catch (IOException e) {
                    LOG.warnf("unmount volume %s at %s: %s", info.name(), info.mountpoint(), e.getMessage());
                }
            }
        }
        return unmounted;
    }

    private Path hold(String containerId, String volume) throws IOException {
        VolumeMount described = describe(volume).orElseThrow(() -> new IOException("mount volume " + volume + ": no such volume"));
        Set<String> held = holders.computeIfAbsent(volume, k -> new HashSet<>());
        if (!described.mounts().isEmpty() && !Mounts.isMountPoint(described.mountpoint())) {
            try {
                Mounts.mount(described.mounts(), described.mountpoint());
            } catch (IOException e) {
                if (held.isEmpty()) {
                    holders.remove(volume);
                }
                throw new IOException("mount volume " + volume + ": " + e.getMessage(), e);
            }
        }
        held.add(containerId);
        return described.mountpoint();
    }

    private Optional<VolumeMount> describe(String volume) {
        return driverOfVolume.apply(volume).map(drivers::get).map(d -> d.mount(volume));
    }

    /**
     * Copy-up: an empty volume mounted over a folder of the image gets the folder's content, owners, modes and
     * times kept, as Docker does on first use. A symlink or a file at the destination is left alone.
     */
    static void copyUp(Path rootfs, String destination, Path volume) throws IOException {
        Path source = rootfs.resolve(destination.substring(1));
        if (!Files.isDirectory(source, LinkOption.NOFOLLOW_LINKS) || !isEmpty(volume) || isEmpty(source)) {
            return;
        }
        Files.walkFileTree(source, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                Path target = volume.resolve(source.relativize(dir).toString());
                if (dir.equals(source)) {
                    copyOwnerAndMode(dir, target);
                } else {
                    Files.copy(dir, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() || attrs.isSymbolicLink()) {
                    Files.copy(file, volume.resolve(source.relativize(file).toString()),
                            StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                FileTime modified = Files.getLastModifiedTime(dir, LinkOption.NOFOLLOW_LINKS);
                Files.setLastModifiedTime(volume.resolve(source.relativize(dir).toString()), modified);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    private static void copyOwnerAndMode(Path from, Path to) throws IOException {
        int uid = (Integer) Files.getAttribute(from, "unix:uid", LinkOption.NOFOLLOW_LINKS);
        int gid = (Integer) Files.getAttribute(from, "unix:gid", LinkOption.NOFOLLOW_LINKS);
        int mode = (Integer) Files.getAttribute(from, "unix:mode", LinkOption.NOFOLLOW_LINKS);
        PosixFiles.lchown(to, uid, gid);
        PosixFiles.chmod(to, mode & 07777);
    }

    private static boolean isEmpty(Path dir) throws IOException {
        try (Stream<Path> entries = Files.list(dir)) {
            return entries.findAny().isEmpty();
        }
    }
}
