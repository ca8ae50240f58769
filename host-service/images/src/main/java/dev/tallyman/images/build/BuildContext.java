package dev.tallyman.images.build;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.archive.Compression;
import dev.tallyman.images.reference.Digest;
import java.io.BufferedInputStream;
import java.io.IOException;
import java.io.InputStream;

import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermission;
import java.security.DigestInputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The build context on disk: the request body (a tar, maybe compressed, or a bare Dockerfile) unpacked into a
 * folder entry by entry as it is read, so no part of it is ever held in memory whole; its digest is taken on
 * the way. Paths that the context's {@code .dockerignore} excludes are removed afterwards (the CLI already
 * leaves them out; other clients may not), except the Dockerfile itself, which the build must read.
 *
 * @param root   the unpacked context
 * @param digest sha256 of the body as received
 * @param bytes  the body's size
 */
public record BuildContext(Path root, Digest digest, long bytes) {
    private static final int TAR_MAGIC_OFFSET = 257;

    /**
     * Unpacks {@code body} into {@code root} (created, must not exist).
     *
     * @param dockerfile the Dockerfile's name, kept even when .dockerignore excludes it
     */
    public static BuildContext unpack(InputStream body, Path root, String dockerfile) {
        MessageDigest sha = Digest.newSha256();
        long[] count = {0};
        try {
            Files.createDirectories(root);
            InputStream counted = new java.io.FilterInputStream(new DigestInputStream(body, sha)) {
                @Override
                public int read() throws IOException {
                    int b = super.read();
                    if (b >= 0) {
                        count[0]++;
                    }
                    return b;
                }

                @Override
                public int read(byte[] buf, int off, int len) throws IOException {
                    int n = super.read(buf, off, len);
                    if (n > 0) {
                        count[0] += n;
                    }
                    return n;
                }
            };
            BufferedInputStream buffered = new BufferedInputStream(counted, 64 * 1024);
            buffered.mark(1024);
            byte[] head = buffered.readNBytes(512);
            buffered.reset();
            if (head.length == 0) {
                throw ImageException.invalid("the build context is empty");
            }
            if (Compression.detect(head) == Compression.NONE && !isTar(head)) {
                // docker build - < Dockerfile: the body is the Dockerfile, and the context is empty.
                Files.copy(buffered, root.resolve(dockerfile.isEmpty() ? "Dockerfile" : dockerfile));
            } else {
                untar(Compression.decompress(buffered), root);
            }
            byte[] rest = new byte[8192];
            while (counted.read(rest) >= 0) {
                // read to the end so the digest covers the whole body
            }
        } catch (IOException e) {
            throw new UncheckedIOException("unpack build context: " + e.getMessage(), e);
        }
        BuildContext context = new BuildContext(root, Digest.fromBytes(sha.digest()), count[0]);
        context.applyDockerIgnore(dockerfile);
        return context;
    }

    private static boolean isTar(byte[] head) {
        return head.length >= TAR_MAGIC_OFFSET + 5
                && new String(head, TAR_MAGIC_OFFSET, 5, StandardCharsets.US_ASCII).equals("ustar");
    }

    private static void untar(InputStream in, Path root) throws IOException {
        TarArchiveInputStream tar = new TarArchiveInputStream(in);
        TarArchiveEntry entry;
        List<Object[]> dirTimes = new ArrayList<>();
        while ((entry = nextEntry(tar)) != null) {
            String name = DockerIgnore.clean(entry.getName());
            if (name.equals(".") || name.equals("/")) {
                continue;
            }
            if (name.startsWith("/") || name.equals("..") || name.startsWith("../")) {
                throw ImageException.invalid("invalid path in build context: " + entry.getName());
            }
            Path path = root.resolve(name);
            Files.createDirectories(path.getParent());
            if (entry.isDirectory()) {
                Files.createDirectories(path);
                dirTimes.add(new Object[] {path, entry.getLastModifiedTime()});
            } else if (entry.isSymbolicLink()) {
                Files.deleteIfExists(path);
                Files.createSymbolicLink(path, Path.of(entry.getLinkName()));
                continue;
            } else if (entry.isLink()) {
                Path target = root.resolve(DockerIgnore.clean(entry.getLinkName()));
                if (!target.normalize().startsWith(root)) {
                    throw ImageException.invalid("invalid hard link in build context: " + entry.getName());
                }
                Files.deleteIfExists(path);
                Files.createLink(path, target);
                continue;
            } else if (entry.isFile()) {
                Files.copy(tar, path, StandardCopyOption.REPLACE_EXISTING);
            } else {
                continue; // devices and fifos have no place in a build context
            }
            Files.setPosixFilePermissions(path, permissions(entry.getMode()));
            if (!entry.isDirectory()) {
                Files.setLastModifiedTime(path, entry.getLastModifiedTime());
            }
        }
        for (int i = dirTimes.size() - 1; i >= 0; i--) {
            Files.setLastModifiedTime((Path) dirTimes.get(i)[0], (FileTime) dirTimes.get(i)[1]);
        }
    }

    private static TarArchiveEntry nextEntry(TarArchiveInputStream tar) throws IOException {
        try {
            return tar.getNextEntry();
        } catch (IOException e) {
            // The docker CLI's context with a Dockerfile from elsewhere (-f outside the context, or -) ends
            // right after the last file's bytes, with neither its padding nor the end blocks. Docker reads it
            // as complete, and so do we; a file cut short still fails while its bytes are read.
            if (String.valueOf(e.getMessage()).contains("Truncated")) {
                return null;
            }
            throw e;
        }
    }

    static Set<PosixFilePermission> permissions(int mode) {
        Set<PosixFilePermission> set = java.util.EnumSet.noneOf(PosixFilePermission.class);
        PosixFilePermission[] order = {
            PosixFilePermission.OTHERS_EXECUTE, PosixFilePermission.OTHERS_WRITE, PosixFilePermission.OTHERS_READ,
            PosixFilePermission.GROUP_EXECUTE, PosixFilePermission.GROUP_WRITE, PosixFilePermission.GROUP_READ,
            PosixFilePermission.OWNER_EXECUTE, PosixFilePermission.OWNER_WRITE, PosixFilePermission.OWNER_READ};
        for (int bit = 0; bit < order.length; bit++) {
            if ((mode & (1 << bit)) != 0) {
                set.add(order[bit]);
            }
        }
        return set;
    }

    private void applyDockerIgnore(String dockerfile) {
        Path ignoreFile = root.resolve(".dockerignore");
        if (!Files.isRegularFile(ignoreFile)) {
            return;
        }
        DockerIgnore ignore;
        try {
            ignore = DockerIgnore.parse(Files.readString(ignoreFile));
        } catch (IOException e) {
            throw new UncheckedIOException("read .dockerignore: " + e.getMessage(), e);
        }
        String keep = DockerIgnore.clean(dockerfile);
        List<Path> excluded = new ArrayList<>();
        try (Stream<Path> walk = Files.walk(root)) {
            walk.filter(p -> !p.equals(root)).forEach(p -> {
                String rel = relative(p);
                if (!rel.equals(keep) && !Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && ignore.excludes(rel)) {
                    excluded.add(p);
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("apply .dockerignore: " + e.getMessage(), e);
        }
        try {
            for (Path p : excluded) {
                Files.deleteIfExists(p);
            }
            // Folders the patterns exclude that are now empty go too (an exception may have kept some content).
            try (Stream<Path> walk = Files.walk(root)) {
                for (Path p : walk.sorted(Comparator.reverseOrder()).toList()) {
                    if (!p.equals(root) && Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS) && ignore.excludes(relative(p))) {
                        try (Stream<Path> inside = Files.list(p)) {
                            if (inside.findAny().isEmpty()) {
                                Files.delete(p);
                            }
                        }
                    }
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("apply .dockerignore: " + e.getMessage(), e);
        }
    }

    /** The path relative to the context root, with "/" separators. */
    public String relative(Path path) {
        return root.relativize(path).toString();
    }

    /** The Dockerfile's text; Docker also looks for "dockerfile" when the default name is missing. */
    public String dockerfileText(String name) {
        Path path = root.resolve(DockerIgnore.clean(name)).normalize();
        if (!path.startsWith(root)) {
            throw ImageException.invalid("Cannot locate specified Dockerfile: " + name);
        }
        if (!Files.isRegularFile(path) && name.equals("Dockerfile") && Files.isRegularFile(root.resolve("dockerfile"))) {
            path = root.resolve("dockerfile");
        }
        if (!Files.isRegularFile(path)) {
            throw ImageException.invalid("Cannot locate specified Dockerfile: " + name);
        }
        try {
            String text = Files.readString(path);
            // As Docker: once read, the Dockerfile and .dockerignore leave the context if .dockerignore excludes
            // them (the CLI's own name for a Dockerfile from elsewhere is always excluded so).
            Path ignoreFile = root.resolve(".dockerignore");
            if (Files.isRegularFile(ignoreFile)) {
                DockerIgnore ignore = DockerIgnore.parse(Files.readString(ignoreFile));
                if (ignore.excludes(relative(path))) {
                    Files.delete(path);
                }
                if (ignore.excludes(".dockerignore")) {
                    Files.delete(ignoreFile);
                }
            }
            return text;
        } catch (IOException e) {
            throw new UncheckedIOException("read Dockerfile " + name + ": " + e.getMessage(), e);
        }
    }

    /** Removes the unpacked context. */
    public static void delete(Path root) {
        if (!Files.exists(root, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            throw new UncheckedIOException("remove build context " + root + ": " + e.getMessage(), e);
        }
    }

}
