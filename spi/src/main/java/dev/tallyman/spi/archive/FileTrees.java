package dev.tallyman.spi.archive;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.linux.PosixFiles;
import java.io.IOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/** Whole-tree operations on layer folders, never following a symlink. */
public final class FileTrees {
    private FileTrees() {
    }

    /** Deletes {@code path} and everything under it; a missing path is fine. */
    public static void delete(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.deleteIfExists(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFileFailed(Path file, IOException e) throws IOException {
                if (e instanceof NoSuchFileException) {
                    return FileVisitResult.CONTINUE;
                }
                throw e;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null && !(e instanceof NoSuchFileException)) {
                    throw e;
                }
                Files.deleteIfExists(dir);
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /**
     * Copies the tree at {@code from} to {@code to} (which must not exist) with owners, modes, times, symlinks,
     * hard links (within the tree), device nodes and fifos.
     */
    public static void copy(Path from, Path to) throws IOException {
        Map<String, Path> firstLinks = new HashMap<>();
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                // COPY_ATTRIBUTES makes the directory with owner, mode and extended attributes in one go.
                Files.copy(dir, to.resolve(from.relativize(dir)), StandardCopyOption.COPY_ATTRIBUTES,
                        LinkOption.NOFOLLOW_LINKS);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Path target = to.resolve(from.relativize(file));
                FileStat stat = FileStat.of(file);
                if (stat.isRegularFile() && stat.nlink() > 1) {
                    String key = stat.dev() + ":" + stat.ino();
                    Path first = firstLinks.putIfAbsent(key, target);
                    if (first != null) {
                        Files.createLink(target, first);
                        return FileVisitResult.CONTINUE;
                    }
                }
                if (stat.isRegularFile()) {
                    Files.copy(file, target, StandardCopyOption.COPY_ATTRIBUTES, LinkOption.NOFOLLOW_LINKS);
                    // The JDK may set times with microseconds only; a copy must compare equal to its source.
                    PosixFiles.setTimes(target, stat.mtime());
                    return FileVisitResult.CONTINUE;
                }
                // Files.copy would open a fifo and wait for a writer: make special files ourselves.
                if (stat.isSymbolicLink()) {
                    Files.createSymbolicLink(target, Files.readSymbolicLink(file));
                } else {
                    PosixFiles.mknod(target, stat.type(), 0, stat.major(), stat.minor());
                }
                PosixFiles.lchown(target, stat.uid(), stat.gid());
                if (!stat.isSymbolicLink()) {
                    PosixFiles.chmod(target, stat.permissions());
                }
                PosixFiles.setTimes(target, stat.mtime());
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path dir, IOException e) throws IOException {
                if (e != null) {
                    throw e;
                }
                // Creating the children moved the copy's time; put the original back.
                PosixFiles.setTimes(to.resolve(from.relativize(dir)), FileStat.of(dir).mtime());
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** Bytes of regular file content under {@code path}, each hard-linked file counted once. */
    public static long regularFileBytes(Path path) throws IOException {
        if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
            return 0;
        }
        long[] total = {0};
        Set<String> seen = new HashSet<>();
        Files.walkFileTree(path, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                if (attrs.isRegularFile() && (attrs.fileKey() == null || seen.add(attrs.fileKey().toString()))) {
                    total[0] += attrs.size();
                }
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }
}
