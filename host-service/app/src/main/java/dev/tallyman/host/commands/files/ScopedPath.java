package dev.tallyman.host.commands.files;

import dev.tallyman.spi.linux.FileStat;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;

/**
 * A path inside a container, resolved on the host under the container's root as the kernel would resolve it
 * inside the container: symlinks are followed, but an absolute target starts again at the container's root
 * and {@code ..} never climbs above it. The result always lies under the root. Components that do not exist
 * are kept as typed, so a path to be created resolves too.
 *
 * @param host      the resolved path on the host, under the root
 * @param container the same path as the container sees it, absolute and clean ("/etc/hosts")
 */
public record ScopedPath(Path host, String container) {
    private static final int MAX_LINKS = 255;

    /**
     * Resolves {@code path} (absolute or not, taken from the container's root) under {@code root}.
     *
     * @param followLast whether a symlink as the last component is followed too (else it is the result)
     */
    public static ScopedPath resolve(Path root, String path, boolean followLast) throws IOException {
        Deque<String> todo = new ArrayDeque<>(components(path));
        List<String> done = new ArrayList<>();
        int links = 0;
        while (!todo.isEmpty()) {
            String component = todo.pollFirst();
            if (component.equals("..")) {
                if (!done.isEmpty()) {
                    done.remove(done.size() - 1);
                }
                continue;
            }
            if (todo.isEmpty() && !followLast) {
                done.add(component);
                break;
            }
            Path candidate = join(root, done).resolve(component);
            FileStat stat = lstat(candidate);
            if (stat != null && stat.isSymbolicLink()) {
                if (++links > MAX_LINKS) {
                    throw new IOException("resolve " + path + ": too many levels of symbolic links");
                }
                String target = Files.readSymbolicLink(candidate).toString();
                if (target.startsWith("/")) {
                    done.clear();
                }
                List<String> parts = components(target);
                for (int i = parts.size() - 1; i >= 0; i--) {
                    todo.addFirst(parts.get(i));
                }
            } else {
                done.add(component);
            }
        }
        return new ScopedPath(join(root, done), "/" + String.join("/", done));
    }

    /** The path's components without empty ones and without ".". */
    static List<String> components(String path) {
        List<String> parts = new ArrayList<>();
        for (String part : path.split("/")) {
            if (!part.isEmpty() && !part.equals(".")) {
                parts.add(part);
            }
        }
        return parts;
    }

    private static Path join(Path root, List<String> parts) {
        Path p = root;
        for (String part : parts) {
            p = p.resolve(part);
        }
        return p;
    }

    /** lstat, or null when nothing is there. */
    static FileStat lstat(Path path) throws IOException {
        try {
            return FileStat.of(path);
        } catch (NoSuchFileException e) {
            return null;
        }
    }
}
