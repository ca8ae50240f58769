package dev.tallyman.host.commands.files;

import dev.tallyman.audit.event.ContainerEvent.ContainerCopiedIn;
import dev.tallyman.audit.event.ContainerEvent.ContainerCopiedOut;
import dev.tallyman.audit.event.ContainerEvent.ContainerCopyFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerCopyInRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerCopyOutRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerExportFailed;
import dev.tallyman.audit.event.ContainerEvent.ContainerExportRequested;
import dev.tallyman.audit.event.ContainerEvent.ContainerExported;
import dev.tallyman.audit.store.ExpectedVersion;
import dev.tallyman.audit.store.StreamId;
import dev.tallyman.host.commands.CommandContext;
import dev.tallyman.host.commands.EngineException;
import dev.tallyman.host.commands.Journal;
import dev.tallyman.host.commands.containers.ContainerFinder;
import dev.tallyman.host.projections.ContainerState;
import dev.tallyman.host.projections.ContainerView;
import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.ContainerExporter;
import dev.tallyman.spi.DriverException;
import dev.tallyman.spi.linux.Errno;
import dev.tallyman.spi.linux.ErrnoException;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PinnedFile;
import dev.tallyman.spi.storage.Change;
import dev.tallyman.spi.storage.LayerId;
import dev.tallyman.spi.storage.StorageDriver;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * A container's files from outside: docker cp both ways (stat, archive of a path, extraction into a folder),
 * docker export and docker diff. Running containers are read and written through their rootfs mount; stopped
 * ones through a temporary mount of their layer. Paths resolve inside the container by the kernel (openat2 with
 * RESOLVE_IN_ROOT) and every file is then read or written through a descriptor ({@link PinnedFile}), so a
 * symlink in the container, even one swapped in during the copy, never leads the host outside the container's root.
 */
public final class ContainerFilesHandler {
    private final Journal journal;
    private final ContainerFinder containers;
    private final StorageDriver driver;
    private final Function<String, Path> mountedRootfs;
    private final ContainerExporter exporter;
    private final Path scratch;

    /**
     * @param mountedRootfs where a container's rootfs is mounted while it runs (ContainerLauncher::rootfs)
     * @param scratch       where temporary mount points are made
     */
    public ContainerFilesHandler(Journal journal, ContainerFinder containers, StorageDriver driver,
                                 Function<String, Path> mountedRootfs, ContainerExporter exporter, Path scratch) {
        this.journal = journal;
        this.containers = containers;
        this.driver = driver;
        this.mountedRootfs = mountedRootfs;
        this.exporter = exporter;
        this.scratch = scratch;
    }

    /** The stat of a path, plus a way to write its tar, while the container's root is reachable. */
    public interface ArchiveSink {
        /** Called with the stat before any byte of the tar; the tar is then written to the returned stream. */
        OutputStream open(PathStat stat) throws IOException;
    }

    /** HEAD /containers/{id}/archive: what is at the path. */
    public PathStat stat(String typed, String path) {
        ContainerView container = existing(typed);
        try (ContainerRoot root = open(container); PinnedFile rootFd = PinnedFile.openDirectory(root.path())) {
            return statOf(rootFd, requestedPath(path), typed);
        } catch (IOException e) {
            throw EngineException.system("stat " + path + " in container " + typed + ": " + e.getMessage(), e);
        }
    }

    /**
     * GET /containers/{id}/archive: the stat, then a tar of the path named by its last element. Data leaving a
     * container is on the record: an intent before the first byte, and how many bytes went (or why not) after.
     */
    public void archive(String typed, String path, ArchiveSink sink, CommandContext context) {
        ContainerView container = existing(typed);
        StreamId stream = StreamId.container(container.id());
        String absolute = requestedPath(path);
        boolean started = false;
        CountingOutputStream out = null;
        try {
            try (ContainerRoot root = open(container); PinnedFile rootFd = PinnedFile.openDirectory(root.path());
                 PinnedFile source = openAsDocker(rootFd, absolute, typed)) {
                PathStat stat = statOf(rootFd, absolute, typed);
                // The root itself has no name to rebase to: its entries go out as "./…".
                String rebased = absolute.equals("/") ? "." : baseName(absolute);
                journal.append(stream, ExpectedVersion.any(), new ContainerCopyOutRequested(container.id(), absolute), context);
                started = true;
                out = new CountingOutputStream(sink.open(stat));
                try (PinnedTarWriter tar = new PinnedTarWriter(out)) {
                    tar.addTree(source, rebased);
                }
            }
            // The answer ends once a stopped container's temporary mount is gone: the caller finds nothing left.
            out.close();
            journal.append(stream, ExpectedVersion.any(), new ContainerCopiedOut(container.id(), absolute, out.count()),
                    context);
        } catch (IOException | RuntimeException e) {
            if (started) {
                journal.append(stream, ExpectedVersion.any(), new ContainerCopyFailed(container.id(), absolute,
                        String.valueOf(e.getMessage())), context);
            }
            if (e instanceof IOException io && raced(io)) {
                throw recordedIf(started, changedDuringCopy(path, typed, io));
            }
            if (e instanceof IOException io) {
                throw new UncheckedIOException("archive " + path + " of container " + typed + ": " + io.getMessage(), io);
            }
            throw (RuntimeException) e;
        }
    }

    /**
     * PUT /containers/{id}/archive: unpacks the tar into the folder at {@code path}, which must exist.
     *
     * @param copyUidGid docker cp -a: entries get the container user's uid and gid (Docker's copyUIDGID)
     */
    public void extract(String typed, String path, InputStream tar, boolean noOverwriteDirNonDir, boolean copyUidGid,
                        CommandContext context) {
        ContainerView container = existing(typed);
        if (container.spec().security().readonlyRootfs()) {
            throw EngineException.invalid("container rootfs is marked read-only");
        }
        String absolute = requestedPath(path);
        StreamId stream = StreamId.container(container.id());
        boolean started = false;
        try (ContainerRoot root = open(container); PinnedFile rootFd = PinnedFile.openDirectory(root.path())) {
            String folder;
            try (PinnedFile opened = openInContainer(rootFd, absolute, PinnedFile.O_PATH, path, typed)) {
                if (!opened.stat().isDirectory()) {
                    throw EngineException.invalid("extraction point is not a directory");
                }
                folder = containerPath(rootFd, opened);
            }
            Optional<int[]> owner = copyUidGid ? Optional.of(ContainerUsers.ids(rootFd, container.spec().user()))
                    : Optional.empty();
            journal.append(stream, ExpectedVersion.any(), new ContainerCopyInRequested(container.id(), absolute), context);
            started = true;
            new ArchiveExtractor(rootFd, folder, noOverwriteDirNonDir, owner).extract(tar);
        } catch (ArchiveExtractor.Refused e) {
            copyFailed(started, container.id(), absolute, e.getMessage(), context);
            throw recordedIf(started, EngineException.invalid(e.getMessage()));
        } catch (IOException e) {
            copyFailed(started, container.id(), absolute, e.getMessage(), context);
            throw recordedIf(started, raced(e) ? changedDuringCopy(path, typed, e)
                    : EngineException.system("copy into " + path + " of container " + typed + ": " + e.getMessage(), e));
        } catch (RuntimeException e) {
            copyFailed(started, container.id(), absolute, String.valueOf(e.getMessage()), context);
            throw e;
        }
        journal.append(stream, ExpectedVersion.any(), new ContainerCopiedIn(container.id(), absolute), context);
    }

    /**
     * Whether a copy failed because the container changed the paths under it while it ran: a folder gone or
     * replaced by a file or a link (which the copy never follows out of the root). The container's doing, not a
     * fault of Tallyman's, so the caller gets a conflict, not a 500.
     */
    private static boolean raced(IOException e) {
        if (!(e instanceof ErrnoException errno)) {
            return false;
        }
        return switch (errno.errno()) {
            // gone, replaced by a file or a link, or made by the container between our look and our create
            case Errno.ENOENT, Errno.ENOTDIR, Errno.ELOOP, Errno.EXDEV, Errno.EEXIST, Errno.EISDIR, Errno.ENOTEMPTY -> true;
            default -> false;
        };
    }

    private static EngineException changedDuringCopy(String path, String typed, IOException e) {
        return EngineException.conflict("copy of " + path + " in container " + typed
                + " failed: the container changed its files during the copy: " + e.getMessage());
    }

    /** A failure after the intent has its outcome appended already; before it, it is a refusal to record. */
    private static EngineException recordedIf(boolean started, EngineException e) {
        return started ? e.onRecord() : e;
    }

    private void copyFailed(boolean started, String containerId, String path, String reason, CommandContext context) {
        if (started) {
            journal.append(StreamId.container(containerId), ExpectedVersion.any(),
                    new ContainerCopyFailed(containerId, path, reason), context);
        }
    }

    /** GET /containers/{id}/export: the whole file system as one tar. */
    public void export(String typed, OutputStream out, CommandContext context) {
        ContainerView container = existing(typed);
        StreamId stream = StreamId.container(container.id());
        journal.append(stream, ExpectedVersion.any(), new ContainerExportRequested(container.id()), context);
        try {
            exporter.export(driver, LayerId.of(container.id()), out);
        } catch (ImageException e) {
            journal.append(stream, ExpectedVersion.any(), new ContainerExportFailed(container.id(), e.getMessage()), context);
            throw (e.kind() == ImageException.Kind.NOT_FOUND ? EngineException.noSuchContainer(typed)
                    : EngineException.system(e.getMessage(), e)).onRecord();
        } catch (RuntimeException e) {
            journal.append(stream, ExpectedVersion.any(), new ContainerExportFailed(container.id(),
                    String.valueOf(e.getMessage())), context);
            throw e;
        }
        journal.append(stream, ExpectedVersion.any(), new ContainerExported(container.id()), context);
    }

    private static final java.util.Set<String> RUNTIME_MOUNT_POINTS = java.util.Set.of("/etc/hosts", "/etc/hostname", "/etc/resolv.conf");

    /** GET /containers/{id}/changes: what the container's layer added, changed and deleted, by path. */
    public List<Change> changes(String typed) {
        ContainerView container = existing(typed);
        try {
            List<Change> changes = new ArrayList<>(driver.changes(LayerId.of(container.id())));
            // The mount points of the files the runtime bind-mounts in are Tallyman's, not the container's changes;
            // Docker keeps them in an init layer below the container's, so its diff never lists them either.
            changes.removeIf(c -> c.kind() == Change.Kind.ADDED && RUNTIME_MOUNT_POINTS.contains(c.path()));
            if (changes.stream().noneMatch(c -> c.path().startsWith("/etc/"))) {
                changes.removeIf(c -> c.kind() == Change.Kind.MODIFIED && c.path().equals("/etc"));
            }
            changes.sort(Comparator.comparing(Change::path));
            return changes;
        } catch (DriverException e) {
            throw EngineException.system("changes of container " + typed + ": " + e.getMessage(), e);
        }
    }

    private ContainerView existing(String typed) {
        ContainerView container = containers.require(typed);
        if (container.state() == ContainerState.CREATING || container.state() == ContainerState.REMOVING
                || container.state() == ContainerState.DEAD) {
            throw EngineException.conflict("container " + typed + " is " + container.state().dockerStatus());
        }
        return container;
    }

    private ContainerRoot open(ContainerView container) {
        return ContainerRoot.open(container.id(), mountedRootfs.apply(container.id()), driver, scratch);
    }

    /** Docker's stat: the last element is not followed, unless the path ends in "/" or "/.". */
    private static PathStat statOf(PinnedFile root, String absolute, String typed) throws IOException {
        FileStat stat;
        try (PinnedFile file = openAsDocker(root, absolute, typed)) {
            stat = file.stat();
        }
        String linkTarget = "";
        if (stat.isSymbolicLink()) {
            try (PinnedFile target = root.openInRoot(absolute, PinnedFile.O_PATH)) {
                linkTarget = containerPath(root, target);
            } catch (ErrnoException e) {
                linkTarget = absolute; // a dangling link: Docker names the link itself then
            }
        }
        return new PathStat(baseName(absolute), stat.size(), PathStat.goMode(stat), stat.mtime().toInstant(), linkTarget);
    }

    /** The path opened inside the container's root as Docker resolves it (see {@link #statOf}). */
    private static PinnedFile openAsDocker(PinnedFile root, String absolute, String typed) throws IOException {
        boolean followLast = absolute.endsWith("/") || absolute.endsWith("/.") || absolute.endsWith("/..");
        return openInContainer(root, absolute, PinnedFile.O_PATH | (followLast ? 0 : PinnedFile.O_NOFOLLOW), absolute, typed);
    }

    private static PinnedFile openInContainer(PinnedFile root, String absolute, int flags, String asked, String typed)
            throws IOException {
        try {
            return root.openInRoot(absolute, flags);
        } catch (ErrnoException e) {
            if (e.errno() == Errno.ENOENT || e.errno() == Errno.ENOTDIR) {
                throw EngineException.notFound("Could not find the file " + asked + " in container " + typed);
            }
            throw e;
        }
    }

    /** Where an opened file lies as the container sees it: its host path below the root's, made absolute. */
    static String containerPath(PinnedFile root, PinnedFile file) throws IOException {
        String base = root.hostPath();
        String at = file.hostPath();
        if (at.equals(base)) {
            return "/";
        }
        if (!at.startsWith(base + "/")) {
            throw new IOException("resolved path " + at + " lies outside the container's root");
        }
        return at.substring(base.length());
    }

    /** The path as Docker takes it: absolute, with a trailing "/" or "/." kept (they ask for the folder itself). */
    static String requestedPath(String path) {
        if (path == null || path.isEmpty()) {
            throw EngineException.invalid("path cannot be empty");
        }
        return path.startsWith("/") ? path : "/" + path;
    }

    /** Go's filepath.Base of the path as asked: "hosts" for /etc/hosts, "etc" for /etc/, "." for /etc/. */
    static String baseName(String absolute) {
        String trimmed = absolute;
        while (trimmed.length() > 1 && trimmed.endsWith("/")) {
            trimmed = trimmed.substring(0, trimmed.length() - 1);
        }
        if (trimmed.equals("/")) {
            return "/";
        }
        return trimmed.substring(trimmed.lastIndexOf('/') + 1);
    }
}
