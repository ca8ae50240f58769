package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.Errno;
import dev.tallyman.spi.linux.ErrnoException;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PinnedFile;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar into a folder of a container (docker cp into a container) without ever writing outside the
 * container's root. Every entry's parent is resolved by the kernel inside the container (openat2 with
 * RESOLVE_IN_ROOT: symlinks lead where they would lead in the container, never above its root) and held by a
 * descriptor while the entry is made, owned, chmodded and timed through it, so a process in the container that
 * swaps a folder for a symlink meanwhile cannot steer any of it onto the host; an entry whose name climbs out of the target
 * folder, a symlink whose relative target does, or a hard link to outside the folder fails the copy. The last
 * component is never followed: an existing symlink there is replaced, and files are created with O_EXCL.
 * Modes (setuid too), times, symlinks, hard links, fifos and device nodes are kept, as Docker's untar keeps them.
 */
public final class ArchiveExtractor {
    private final Path rootPath;
    private PinnedFile root;
    private final String target;
    private final boolean noOverwriteDirNonDir;
    private final Optional<int[]> owner;
    private final byte[] buffer = new byte[64 * 1024];
    private final List<Object[]> directoryTimes = new ArrayList<>();

    /**
     * @param target the folder to unpack into, as an absolute path inside the container (resolved already)
     * @param owner  uid and gid every entry gets; empty to keep the tar's
     */
    public ArchiveExtractor(PinnedFile root, String target, boolean noOverwriteDirNonDir, Optional<int[]> owner) {
        this((Path) null, target, noOverwriteDirNonDir, owner);
        this.root = root;
    }

    /** For a root no one else can change meanwhile (a build's layer): the root is opened for the extraction. */
    public ArchiveExtractor(Path root, String target, boolean noOverwriteDirNonDir, Optional<int[]> owner) {
        this.rootPath = root;
        this.target = target;
        this.noOverwriteDirNonDir = noOverwriteDirNonDir;
        this.owner = owner;
    }

    /** A refusal of the tar's content, which the API answers with 400. */
    public static final class Refused extends IOException {
        Refused(String message) {
            super(message);
        }
    }

    public void extract(InputStream in) throws IOException {
        if (rootPath == null) {
            extractInto(in);
            return;
        }
        try (PinnedFile opened = PinnedFile.openDirectory(rootPath)) {
            root = opened;
            extractInto(in);
        }
    }

    private void extractInto(InputStream in) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry entry;
        while ((entry = next(tar)) != null) {
            apply(entry, tar);
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            @SuppressWarnings("unchecked")
            List<String> relative = (List<String>) directoryTimes.get(i)[0];
            String name = relative.get(relative.size() - 1);
            try (PinnedFile parent = root.openInRoot(join(target, relative.subList(0, relative.size() - 1)), PinnedFile.O_PATH | PinnedFile.O_DIRECTORY)) {
                parent.setTimesAt(name, (FileTime) directoryTimes.get(i)[1]);
            }
        }
    }

    private static TarArchiveEntry next(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException | RuntimeException e) {
            throw new Refused("read tar: " + e.getMessage());
        }
    }

    private void apply(TarArchiveEntry entry, InputStream content) throws IOException {
        List<String> relative = clean(entry.getName(), entry.getName());
        if (relative.isEmpty()) {
            return; // the target folder itself keeps its own metadata
        }
        String base = relative.get(relative.size() - 1);
        String parentInContainer = join(target, relative.subList(0, relative.size() - 1));
        String shown = join(parentInContainer, List.of(base));
        try (PinnedFile parent = directory(parentInContainer, entry.getName())) {
            FileStat existing = parent.statAt(base);
            if (existing != null) {
                if (noOverwriteDirNonDir && existing.isDirectory() && !entry.isDirectory()) {
                    throw new Refused("cannot overwrite directory \"" + shown + "\" with non-directory \"" + entry.getName() + "\"");
                }
                if (noOverwriteDirNonDir && !existing.isDirectory() && entry.isDirectory()) {
                    throw new Refused("cannot overwrite non-directory \"" + shown + "\" with directory \"" + entry.getName() + "\"");
                }
                if (!(existing.isDirectory() && entry.isDirectory())) {
                    parent.removeAt(base);
                }
            }
            int expectedType;
            if (entry.isDirectory()) {
                if (existing == null || !existing.isDirectory()) {
                    parent.mkdirAt(base, 0700);
                }
                expectedType = FileStat.S_IFDIR;
            } else if (entry.isLink()) {
                List<String> linkRelative = clean(entry.getLinkName(), entry.getName());
                if (linkRelative.isEmpty()) {
                    throw new Refused("invalid hardlink \"" + entry.getName() + "\" -> \"" + entry.getLinkName() + "\"");
                }
                try (PinnedFile linked = root.openInRoot(join(target, linkRelative), PinnedFile.O_PATH | PinnedFile.O_NOFOLLOW)) {
                    if (linked.stat().isDirectory()) {
                        throw new Refused("invalid hardlink \"" + entry.getName() + "\" -> \"" + entry.getLinkName() + "\"");
                    }
                    parent.linkAt(linked, base);
                } catch (ErrnoException e) {
                    if (e.errno() == Errno.ENOENT) {
                        throw new Refused("invalid hardlink \"" + entry.getName() + "\" -> \"" + entry.getLinkName() + "\"");
                    }
                    throw e;
                }
                return; // a hard link shares its target's metadata
            } else if (entry.isSymbolicLink()) {
                String link = entry.getLinkName();
                if (!link.startsWith("/")) {
                    // Docker's breakout rule: a relative target must stay inside the folder unpacked into.
                    List<String> from = new ArrayList<>(relative.subList(0, relative.size() - 1));
                    clean(String.join("/", from) + "/" + link, entry.getName());
                }
                parent.symlinkAt(link, base);
                expectedType = FileStat.S_IFLNK;
            } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
                expectedType = entry.isCharacterDevice() ? FileStat.S_IFCHR : entry.isBlockDevice() ? FileStat.S_IFBLK : FileStat.S_IFIFO;
                parent.mknodAt(base, expectedType, 0600, entry.getDevMajor(), entry.getDevMinor());
            } else if (entry.isFile()) {
                try (PinnedFile created = parent.openAt(base, PinnedFile.O_WRONLY | PinnedFile.O_CREAT | PinnedFile.O_EXCL, 0600);
                     OutputStream out = created.write()) {
                    int n;
                    while ((n = content.read(buffer)) >= 0) {
                        out.write(buffer, 0, n);
                    }
                }
                expectedType = FileStat.S_IFREG;
            } else {
                throw new Refused("unhandled tar header type for " + entry.getName());
            }
            int uid = owner.map(o -> o[0]).orElse((int) entry.getLongUserId());
            int gid = owner.map(o -> o[1]).orElse((int) entry.getLongGroupId());
            parent.chownAt(base, uid, gid);
            if (entry.isSymbolicLink()) {
                parent.setTimesAt(base, entry.getLastModifiedTime());
                return;
            }
            // chmod goes through a descriptor of the entry, checked to be what was just made: a symlink swapped
            // in by the container meanwhile is never followed. After chown, which clears setuid.
            try (PinnedFile made = parent.openAt(base, PinnedFile.O_PATH, 0)) {
                if (made.stat().type() != expectedType) {
                    throw new IOException("extract " + entry.getName() + ": " + shown + " was replaced during the copy");
                }
                made.chmod(entry.getMode() & 07777);
            }
            if (entry.isDirectory()) {
                directoryTimes.add(new Object[] {relative, entry.getLastModifiedTime()});
            } else {
                parent.setTimesAt(base, entry.getLastModifiedTime());
            }
        }
    }

    /**
     * The folder {@code inContainer} opened inside the container's root, made (with its parents) when missing,
     * as Docker's untar makes the parents an archive leaves out.
     */
    private PinnedFile directory(String inContainer, String entryName) throws IOException {
        try {
            PinnedFile dir = root.openInRoot(inContainer, PinnedFile.O_PATH);
            if (!dir.stat().isDirectory()) {
                dir.close();
                throw new Refused("extract " + entryName + ": " + inContainer + " is not a directory");
            }
            return dir;
        } catch (ErrnoException e) {
            if (e.errno() != Errno.ENOENT) {
                throw e;
            }
        }
        int slash = inContainer.lastIndexOf('/');
        String above = slash <= 0 ? "/" : inContainer.substring(0, slash);
        String name = inContainer.substring(slash + 1);
        if (name.isEmpty() || inContainer.equals(above)) {
            throw new IOException("extract " + entryName + ": cannot make " + inContainer);
        }
        try (PinnedFile parent = directory(above, entryName)) {
            try {
                parent.mkdirAt(name, 0755);
            } catch (ErrnoException e) {
                if (e.errno() != Errno.EEXIST) {
                    throw e;
                }
            }
        }
        // Opened again from the root, as the first time: whatever the container put there meanwhile is
        // followed inside the container, never outside.
        PinnedFile made = root.openInRoot(inContainer, PinnedFile.O_PATH);
        if (!made.stat().isDirectory()) {
            made.close();
            throw new Refused("extract " + entryName + ": " + inContainer + " is not a directory");
        }
        return made;
    }

    private static String join(String folder, List<String> parts) {
        String base = folder.endsWith("/") ? folder.substring(0, folder.length() - 1) : folder;
        return parts.isEmpty() ? (base.isEmpty() ? "/" : base) : base + "/" + String.join("/", parts);
    }

    /** A name's components relative to the target, with "." and ".." applied; climbing above the target is refused. */
    private static List<String> clean(String name, String entryName) throws Refused {
        List<String> parts = new ArrayList<>();
        for (String part : name.split("/")) {
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                if (parts.isEmpty()) {
                    throw new Refused("invalid tar entry " + entryName + ": " + name + " leads outside the target folder");
                }
                parts.remove(parts.size() - 1);
            } else {
                parts.add(part);
            }
        }
        return parts;
    }
}
