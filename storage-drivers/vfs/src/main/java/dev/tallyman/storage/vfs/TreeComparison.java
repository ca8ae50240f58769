package dev.tallyman.storage.vfs;

import dev.tallyman.spi.linux.FileStat;
import dev.tallyman.spi.storage.Change;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Stream;

/**
 * Compares a layer's tree with its parent's, by metadata as docker's naive diff does: type, mode, owner,
 * size, modification time, link target, device number. Both trees are full copies, so a file counts as
 * unchanged when all of those match. Directories come before their contents; a deleted directory is
 * listed once, not with its contents.
 */
final class TreeComparison {
    private final Path layer;
    private final Path parent;
    private final List<TreeChange> changes = new ArrayList<>();

    private TreeComparison(Path layer, Path parent) {
        this.layer = layer;
        this.parent = parent;
    }

    /** {@code parent} may be null: a layer without parent compares with an empty tree. */
    static List<TreeChange> between(Path layer, Path parent) throws IOException {
        TreeComparison comparison = new TreeComparison(layer, parent);
        comparison.compareDirectory("", true);
        return comparison.changes;
    }

    private void compareDirectory(String relative, boolean parentHasIt) throws IOException {
        Set<String> ours = names(layer.resolve(relative));
        Set<String> theirs = parentHasIt && parent != null ? names(parent.resolve(relative)) : Set.of();
        for (String name : ours) {
            String path = relative.isEmpty() ? name : relative + "/" + name;
            FileStat mine = FileStat.of(layer.resolve(path));
            if (!theirs.contains(name)) {
                changes.add(new TreeChange(Change.Kind.ADDED, path));
                if (mine.isDirectory()) {
                    compareDirectory(path, false);
                }
                continue;
            }
            FileStat before = FileStat.of(parent.resolve(path));
            if (differ(mine, before, path)) {
                changes.add(new TreeChange(Change.Kind.MODIFIED, path));
            }
            if (mine.isDirectory()) {
                compareDirectory(path, before.isDirectory());
            }
        }
        for (String name : theirs) {
            if (!ours.contains(name)) {
                changes.add(new TreeChange(Change.Kind.DELETED, relative.isEmpty() ? name : relative + "/" + name));
            }
        }
    }

    private boolean differ(FileStat mine, FileStat before, String path) throws IOException {
        if (mine.mode() != before.mode() || mine.uid() != before.uid() || mine.gid() != before.gid()) {
            return true;
        }
        if (!mine.mtime().equals(before.mtime())) {
            return true;
        }
        if (mine.isRegularFile()) {
            return mine.size() != before.size();
        }
        if (mine.isSymbolicLink()) {
            return !Files.readSymbolicLink(layer.resolve(path)).equals(Files.readSymbolicLink(parent.resolve(path)));
        }
        return mine.rdev() != before.rdev();
    }

    private static Set<String> names(Path dir) throws IOException {
        try (Stream<Path> children = Files.list(dir)) {
            Set<String> names = new TreeSet<>();
            children.forEach(p -> names.add(p.getFileName().toString()));
            return names;
        } catch (NoSuchFileException e) {
            return Set.of();
        }
    }
}
