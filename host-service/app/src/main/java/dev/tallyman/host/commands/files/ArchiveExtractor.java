package dev.tallyman.host.commands.files;

import dev.tallyman.spi.archive.FileTrees;
import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks a tar into a folder of a container (docker cp into a container) without ever writing outside the
 * container's root. Every entry's parent is resolved inside the container ({@link ScopedPath}: symlinks lead
 * where they would lead in the container, never above its root); an entry whose name climbs out of the target
 * folder, a symlink whose relative target does, or a hard link to outside the folder fails the copy. The last
 * component is never followed: an existing symlink there is replaced, and files are created with O_EXCL.
 * Modes (setuid too), times, symlinks, hard links, fifos and device nodes are kept, as Docker's untar keeps them.
 */
public final class ArchiveExtractor {
    private final Path root;
    private final String target;
    private final boolean noOverwriteDirNonDir;
    private final Optional<int[]> owner;
    private final byte[] buffer = new byte[64 * 1024];
    private final List<Object[]> directoryTimes = new ArrayList<>();

    /**
     * @param target the folder to unpack into, as an absolute path inside the container (resolved already)
     * @param owner  uid and gid every entry gets; empty to keep the tar's
     */
    public ArchiveExtractor(Path root, String target, boolean noOverwriteDirNonDir, Optional<int[]> owner) {
        this.root = root;
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
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry entry;
        while ((entry = next(tar)) != null) {
            apply(entry, tar);
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            PosixFiles.setTimes((Path) directoryTimes.get(i)[0], (FileTime) directoryTimes.get(i)[1]);
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
        String parentInContainer = target + "/" + String.join("/", relative.subList(0, relative.size() - 1));
        ScopedPath parent = ScopedPath.resolve(root, parentInContainer, true);
        FileStat parentStat = ScopedPath.lstat(parent.host());
        if (parentStat == null) {
            Files.createDirectories(parent.host());
        } else if (!parentStat.isDirectory()) {
            throw new Refused("extract " + entry.getName() + ": " + parent.container() + " is not a directory");
        }
        Path path = parent.host().resolve(base);
        String shown = (parent.container().equals("/") ? "" : parent.container()) + "/" + base;
        FileStat existing = ScopedPath.lstat(path);
        if (existing != null) {
            if (noOverwriteDirNonDir && existing.isDirectory() && !entry.isDirectory()) {
                throw new Refused("cannot overwrite directory \"" + shown + "\" with non-directory \"" + entry.getName() + "\"");
            }
            if (noOverwriteDirNonDir && !existing.isDirectory() && entry.isDirectory()) {
                throw new Refused("cannot overwrite non-directory \"" + shown + "\" with directory \"" + entry.getName() + "\"");
            }
            if (!(existing.isDirectory() && entry.isDirectory())) {
                if (existing.isDirectory()) {
                    FileTrees.delete(path);
                } else {
                    Files.delete(path);
                }
            }
        }
        if (entry.isDirectory()) {
            if (existing == null || !existing.isDirectory()) {
                Files.createDirectory(path);
            }
        } else if (entry.isLink()) {
            List<String> linkRelative = clean(entry.getLinkName(), entry.getName());
            ScopedPath linked = ScopedPath.resolve(root, target + "/" + String.join("/", linkRelative), false);
            FileStat linkedStat = ScopedPath.lstat(linked.host());
            if (linkRelative.isEmpty() || linkedStat == null || linkedStat.isDirectory()) {
                throw new Refused("invalid hardlink \"" + entry.getName() + "\" -> \"" + entry.getLinkName() + "\"");
            }
            Files.createLink(path, linked.host());
            return; // a hard link shares its target's metadata
        } else if (entry.isSymbolicLink()) {
            String link = entry.getLinkName();
            if (!link.startsWith("/")) {
                // Docker's breakout rule: a relative target must stay inside the folder unpacked into.
                List<String> from = new ArrayList<>(relative.subList(0, relative.size() - 1));
                clean(String.join("/", from) + "/" + link, entry.getName());
            }
            Files.createSymbolicLink(path, Path.of(link));
        } else if (entry.isCharacterDevice() || entry.isBlockDevice() || entry.isFIFO()) {
            int type = entry.isCharacterDevice() ? FileStat.S_IFCHR : entry.isBlockDevice() ? FileStat.S_IFBLK : FileStat.S_IFIFO;
            PosixFiles.mknod(path, type, 0600, entry.getDevMajor(), entry.getDevMinor());
        } else if (entry.isFile()) {
            try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
                int n;
                while ((n = content.read(buffer)) >= 0) {
                    out.write(buffer, 0, n);
                }
            }
        } else {
            throw new Refused("unhandled tar header type for " + entry.getName());
        }
        int uid = owner.map(o -> o[0]).orElse((int) entry.getLongUserId());
        int gid = owner.map(o -> o[1]).orElse((int) entry.getLongGroupId());
        PosixFiles.lchown(path, uid, gid);
        if (entry.isSymbolicLink()) {
            PosixFiles.setTimes(path, entry.getLastModifiedTime());
            return;
        }
        PosixFiles.chmod(path, entry.getMode() & 07777); // after chown, which clears setuid
        if (entry.isDirectory()) {
            directoryTimes.add(new Object[] {path, entry.getLastModifiedTime()});
        } else {
            PosixFiles.setTimes(path, entry.getLastModifiedTime());
        }
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
