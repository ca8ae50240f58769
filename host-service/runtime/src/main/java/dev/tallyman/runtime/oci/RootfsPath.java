package dev.tallyman.runtime.oci;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.Deque;

/**
 * Resolves a path inside a rootfs the way the container would see it: symlinks are followed, but an absolute
 * link target or a {@code ..} climbs no higher than the rootfs, so an image cannot make us read host files.
 */
final class RootfsPath {
    private static final int MAX_LINKS = 40;

    private RootfsPath() {
    }

    static Path resolve(Path rootfs, String containerPath) {
        Deque<String> pending = new ArrayDeque<>();
        push(pending, containerPath);
        Deque<String> resolved = new ArrayDeque<>();
        int links = 0;
        while (!pending.isEmpty()) {
            String part = pending.pop();
            if (part.isEmpty() || part.equals(".")) {
                continue;
            }
            if (part.equals("..")) {
                resolved.pollLast();
                continue;
            }
            Path candidate = join(rootfs, resolved).resolve(part);
            if (Files.isSymbolicLink(candidate)) {
                if (++links > MAX_LINKS) {
                    throw new UncheckedIOException(new IOException("resolve " + containerPath + ": too many links"));
                }
                String target = readLink(candidate);
                if (target.startsWith("/")) {
                    resolved.clear();
                }
                push(pending, target);
                continue;
            }
            resolved.addLast(part);
        }
        return join(rootfs, resolved);
    }

    private static void push(Deque<String> pending, String path) {
        String[] parts = path.split("/");
        for (int i = parts.length - 1; i >= 0; i--) {
            pending.push(parts[i]);
        }
    }

    private static Path join(Path rootfs, Deque<String> parts) {
        Path path = rootfs;
        for (String part : parts) {
            path = path.resolve(part);
        }
        return path;
    }

    private static String readLink(Path link) {
        try {
            return Files.readSymbolicLink(link).toString();
        } catch (IOException e) {
            throw new UncheckedIOException("read link " + link + ": " + e.getMessage(), e);
        }
    }

    static boolean isFile(Path path) {
        return Files.isRegularFile(path, LinkOption.NOFOLLOW_LINKS);
    }
}
