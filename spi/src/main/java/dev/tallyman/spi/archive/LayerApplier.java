package dev.tallyman.spi.archive;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * Unpacks one uncompressed layer tar into a folder, as root, without ever writing outside it.
 *
 * <p>Safety rules: entry names are taken relative to the folder ({@code /etc/x} lands at {@code etc/x});
 * a name with a {@code ..} segment fails the whole layer; no write goes through a symlink, whether the
 * symlink came from a lower layer or from this tar (a parent that is a symlink fails the layer, a final
 * path that is a symlink is replaced); a hard link must name a path inside the folder, reached without
 * symlinks. Symlink targets are stored as given: they are only followed inside the container's root.
 *
 * <p>Modes (setuid included), owners, modification times, symlinks, hard links, device nodes and fifos are
 * kept. Whiteouts go to the {@link Whiteouts} the driver supplies. The whole stream is read and hashed.
 */
public final class LayerApplier {
    private static final String WHITEOUT = ".wh.";
    private static final String OPAQUE = ".wh..wh..opq";
    private static final String WHITEOUT_META = ".wh..wh.";

    private final Path root;
    private final Whiteouts whiteouts;
    /** Relative paths this tar wrote, so an opaque marker keeps them. */
    private final Set<String> written = new HashSet<>();
    /** Relative paths already seen to be real directories (not symlinks), to stat each parent only once. */
    private final Set<String> knownDirectories = new HashSet<>();
    /** A directory's time is set last: creating its children changes it. */
    private final List<DirectoryTime> directoryTimes = new ArrayList<>();
    private final byte[] buffer = new byte[64 * 1024];
    private long bytes;

    private record DirectoryTime(Path path, FileTime mtime) {
    }

    private LayerApplier(Path root, Whiteouts whiteouts) {
        this.root = root;
        this.whiteouts = whiteouts;
    }

    /**
     * Applies the tar read from {@code tar} (to its end) onto the existing folder {@code root}.
     *
     * @throws InvalidLayerException when the tar is malformed, truncated, or tries to leave {@code root};
     *     what was written so far stays, and the caller removes the folder
     * @throws IOException when reading the stream or writing the folder fails
     */
    public static AppliedLayer apply(InputStream tar, Path root, Whiteouts whiteouts) throws IOException {
        return new LayerApplier(root, whiteouts).run(tar);
    }

    private AppliedLayer run(InputStream tar) throws IOException {
        MessageDigest sha256;
        try {
            sha256 = MessageDigest.getInstance("SHA-256");
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        SourceStream hashed = new SourceStream(tar, sha256);
        TarArchiveInputStream entries = new TarArchiveInputStream(hashed);
        for (TarArchiveEntry entry = next(entries); entry != null; entry = next(entries)) {
            apply(entry, entries);
        }
        // The digest covers every byte, including end-of-archive blocks and padding the tar reader left unread.
        try {
            while (hashed.read(buffer) >= 0) {
                // reading is hashing
            }
        } catch (SourceReadException e) {
            throw e.source();
        }
        for (int i = directoryTimes.size() - 1; i >= 0; i--) {
            PosixFiles.setTimes(directoryTimes.get(i).path(), directoryTimes.get(i).mtime());
        }
        return new AppliedLayer("sha256:" + HexFormat.of().formatHex(sha256.digest()), bytes);
    }

    private void apply(TarArchiveEntry entry, InputStream content) throws IOException {
        String name = entry.getName();
        String relative = relative(name, name);
        if (relative.isEmpty()) {
            return; // the layer's root itself: the folder exists and keeps the driver's metadata
        }
        int slash = relative.lastIndexOf('/');
        String parentRelative = slash < 0 ? "" : relative.substring(0, slash);
        String base = relative.substring(slash + 1);
        Path parent = directory(parentRelative, name, true);

        if (base.startsWith(WHITEOUT)) {
            if (base.equals(OPAQUE)) {
                whiteouts.opaque(parent, p -> written.contains(root.relativize(p).toString()));
            } else if (!base.startsWith(WHITEOUT_META)) { // aufs bookkeeping (.wh..wh.plnk) means nothing here
                String hidden = base.substring(WHITEOUT.length());
                if (hidden.isEmpty() || hidden.equals(".") || hidden.equals("..")) {
                    throw new InvalidLayerException("entry " + name + ": invalid whiteout");
                }
                knownDirectories.clear();
                whiteouts.whiteout(parent.resolve(hidden));
            }
            return;
        }

        Path path = parent.resolve(base);
        FileStat existing = stat(path);
        if (entry.isDirectory()) {
            if (existing != null && !existing.isDirectory()) {
                Files.delete(path);
                existing = null;
            }
            if (existing == null) {
                Files.createDirectory(path);
            }
            knownDirectories.add(relative);
        } else {
            if (existing != null) {
                if (existing.isDirectory()) {
                    FileTrees.delete(path);
                    knownDirectories.clear();
                } else {
                    Files.delete(path);
                }
            }
            if (entry.isLink()) {
                String targetName = entry.getLinkName();
                String targetRelative = relative(targetName, name);
                if (targetRelative.isEmpty()) {
                    throw new InvalidLayerException("entry " + name + ": hard link to the layer's root");
                }
                int targetSlash = targetRelative.lastIndexOf('/');
                Path targetParent = directory(targetSlash < 0 ? "" : targetRelative.substring(0, targetSlash), name, false);
                Path target = targetParent.resolve(targetRelative.substring(targetSlash + 1));
                FileStat targetStat = stat(target);
                if (targetStat == null || targetStat.isDirectory()) {
                    throw new InvalidLayerException("entry " + name + ": hard link target " + targetName
                            + " is not a file of this layer");
                }
                Files.createLink(path, target);
                written.add(relative);
                return; // a hard link shares its target's inode and metadata
            } else if (entry.isSymbolicLink()) {
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
            } else if (entry.isCharacterDevice()) {
                PosixFiles.mknod(path, FileStat.S_IFCHR, 0600, entry.getDevMajor(), entry.getDevMinor());
            } else if (entry.isBlockDevice()) {
                PosixFiles.mknod(path, FileStat.S_IFBLK, 0600, entry.getDevMajor(), entry.getDevMinor());
            } else if (entry.isFIFO()) {
                PosixFiles.mknod(path, FileStat.S_IFIFO, 0600, 0, 0);
            } else if (entry.isFile() && !entry.isSparse()) {
                writeContent(path, content, name);
                bytes += entry.getSize();
            } else {
                throw new InvalidLayerException("entry " + name + ": unsupported entry type");
            }
        }
        written.add(relative);
        setMetadata(path, entry);
    }

    private void setMetadata(Path path, TarArchiveEntry entry) throws IOException {
        PosixFiles.lchown(path, (int) entry.getLongUserId(), (int) entry.getLongGroupId());
        if (entry.isSymbolicLink()) {
            PosixFiles.setTimes(path, entry.getLastModifiedTime());
            return;
        }
        PosixFiles.chmod(path, entry.getMode()); // after chown, which clears setuid
        if (entry.isDirectory()) {
            directoryTimes.add(new DirectoryTime(path, entry.getLastModifiedTime()));
        } else {
            PosixFiles.setTimes(path, entry.getLastModifiedTime());
        }
    }

    private void writeContent(Path path, InputStream content, String name) throws IOException {
        try (OutputStream out = Files.newOutputStream(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE)) {
            while (true) {
                int n;
                try {
                    n = content.read(buffer);
                } catch (SourceReadException e) {
                    throw e.source();
                } catch (IOException | RuntimeException e) {
                    throw new InvalidLayerException("read tar entry " + name + ": " + e.getMessage());
                }
                if (n < 0) {
                    return;
                }
                out.write(buffer, 0, n);
            }
        }
    }

    /**
     * The folder for a relative directory path, checking that each step is a real directory, never a
     * symlink. Missing steps are created when {@code create}, as the tar may list a file before (or without)
     * its parent.
     */
    private Path directory(String relative, String entryName, boolean create) throws IOException {
        Path dir = root;
        if (relative.isEmpty()) {
            return dir;
        }
        int start = 0;
        while (start <= relative.length()) {
            int end = relative.indexOf('/', start);
            if (end < 0) {
                end = relative.length();
            }
            String prefix = relative.substring(0, end);
            dir = dir.resolve(relative.substring(start, end));
            if (!knownDirectories.contains(prefix)) {
                FileStat stat = stat(dir);
                if (stat == null && create) {
                    Files.createDirectory(dir);
                } else if (stat == null) {
                    throw new InvalidLayerException("entry " + entryName + ": " + prefix + " does not exist");
                } else if (stat.isSymbolicLink()) {
                    throw new InvalidLayerException("entry " + entryName + ": " + prefix
                            + " is a symlink, refusing to write through it");
                } else if (!stat.isDirectory()) {
                    throw new InvalidLayerException("entry " + entryName + ": " + prefix + " is not a directory");
                }
                knownDirectories.add(prefix);
            }
            start = end + 1;
        }
        return dir;
    }

    /**
     * A tar name as a path relative to the layer's root: leading slashes and {@code .} segments dropped.
     * A {@code ..} segment fails the layer rather than being resolved: no well-formed layer contains one.
     */
    static String relative(String name, String entryName) throws InvalidLayerException {
        StringBuilder out = new StringBuilder(name.length());
        for (String segment : name.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                throw new InvalidLayerException("entry " + entryName + ": " + name + " leads outside the layer");
            }
            if (out.length() > 0) {
                out.append('/');
            }
            out.append(segment);
        }
        return out.toString();
    }

    private static FileStat stat(Path path) throws IOException {
        try {
            return FileStat.of(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }

    private static TarArchiveEntry next(TarArchiveInputStream entries) throws IOException {
        try {
            return entries.getNextEntry();
        } catch (SourceReadException e) {
            throw e.source();
        } catch (IOException | RuntimeException e) {
            throw new InvalidLayerException("read tar: " + e.getMessage());
        }
    }

    /** Marks failures of the caller's stream, so they are not mistaken for a malformed tar. */
    private static final class SourceReadException extends IOException {
        SourceReadException(IOException cause) {
            super(cause.getMessage(), cause);
        }

        IOException source() {
            return (IOException) getCause();
        }
    }

    /** Hashes every byte read from the caller's stream, skipped ones too, and marks the stream's own failures. */
    private static final class SourceStream extends InputStream {
        private final InputStream in;
        private final MessageDigest digest;
        private final byte[] skipBuffer = new byte[8192];

        SourceStream(InputStream in, MessageDigest digest) {
            this.in = in;
            this.digest = digest;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = in.read(b, off, len);
            } catch (IOException e) {
                throw new SourceReadException(e);
            }
            if (n > 0) {
                digest.update(b, off, n);
            }
            return n;
        }

        /** Skipped bytes are part of the diff id, so they are read, not skipped. */
        @Override
        public long skip(long n) throws IOException {
            long done = 0;
            while (done < n) {
                int r = read(skipBuffer, 0, (int) Math.min(skipBuffer.length, n - done));
                if (r < 0) {
                    break;
                }
                done += r;
            }
            return done;
        }

        @Override
        public void close() {
            // the caller owns the stream
        }
    }
}
