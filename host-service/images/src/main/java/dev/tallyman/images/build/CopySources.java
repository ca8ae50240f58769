package dev.tallyman.images.build;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFileAttributes;
import java.nio.file.attribute.PosixFilePermission;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;

/**
 * The files one COPY or ADD takes from its source (the context, or a stage's or image's root): the sources
 * as written, with wildcards matched as Go's filepath.Match matches them, each path kept inside the source
 * root. Gives the content digest that keys the build cache (names, modes, link targets and bytes; times are
 * not part of it, as in Docker) and the tar that puts the files in place under the destination.
 */
public final class CopySources {
    /** One matched source: its path on disk and its name relative to the source root. */
    public record Source(Path path, String relative) {
    }

    private final Path root;
    private final List<Source> sources;

    private CopySources(Path root, List<Source> sources) {
        this.root = root;
        this.sources = List.copyOf(sources);
    }

    /**
     * @param instruction "COPY" or "ADD", for the messages
     * @param patterns    the sources, expanded; each relative to the root
     */
    public static CopySources match(Path root, List<String> patterns, String instruction) {
        List<Source> found = new ArrayList<>();
        for (String pattern : patterns) {
            String cleaned = DockerIgnore.clean(pattern);
            while (cleaned.startsWith("/")) {
                cleaned = cleaned.substring(1);
            }
            if (cleaned.isEmpty()) {
                cleaned = ".";
            }
            if (cleaned.equals("..") || cleaned.startsWith("../")) {
                throw ImageException.invalid(instruction + " failed: forbidden path outside the build context: "
                        + pattern + " ()");
            }
            if (hasWildcard(cleaned)) {
                Pattern regex = glob(cleaned);
                List<Source> matched = new ArrayList<>();
                try (Stream<Path> walk = Files.walk(root)) {
                    walk.filter(p -> !p.equals(root)).sorted().forEach(p -> {
                        String rel = root.relativize(p).toString();
                        if (regex.matcher(rel).matches()) {
                            matched.add(new Source(p, rel));
                        }
                    });
                } catch (IOException e) {
                    throw new UncheckedIOException("match " + pattern + ": " + e.getMessage(), e);
                }
                if (matched.isEmpty()) {
                    throw ImageException.invalid(instruction + " failed: no source files were specified");
                }
                found.addAll(matched);
            } else {
                Path path = cleaned.equals(".") ? root : root.resolve(cleaned);
                if (!Files.exists(path, LinkOption.NOFOLLOW_LINKS)) {
                    throw ImageException.invalid(instruction + " failed: file not found in build context or excluded by "
                            + ".dockerignore: stat " + cleaned + ": file does not exist");
                }
                found.add(new Source(path, cleaned));
            }
        }
        return new CopySources(root, found);
    }

    public List<Source> sources() {
        return sources;
    }

    /** Whether the sources are more than one path, so the destination must be a folder. */
    public boolean several() {
        return sources.size() > 1;
    }

    static boolean hasWildcard(String pattern) {
        return pattern.indexOf('*') >= 0 || pattern.indexOf('?') >= 0 || pattern.indexOf('[') >= 0;
    }

    /** Go's filepath.Match: {@code *} and {@code ?} never cross a "/". */
    static Pattern glob(String pattern) {
        StringBuilder regex = new StringBuilder();
        for (int i = 0; i < pattern.length(); i++) {
            char c = pattern.charAt(i);
            if (c == '*') {
                regex.append("[^/]*");
            } else if (c == '?') {
                regex.append("[^/]");
            } else if (c == '\\' && i + 1 < pattern.length()) {
                regex.append(Pattern.quote(String.valueOf(pattern.charAt(++i))));
            } else if (c == '[') {
                int close = pattern.indexOf(']', i + 1);
                if (close < 0) {
                    throw ImageException.invalid("syntax error in pattern: " + pattern);
                }
                String inside = pattern.substring(i + 1, close);
                if (inside.startsWith("^") || inside.startsWith("!")) {
                    inside = "^" + inside.substring(1);
                }
                regex.append('[').append(inside).append(']');
                i = close;
            } else {
                regex.append(Pattern.quote(String.valueOf(c)));
            }
        }
        return Pattern.compile(regex.toString());
    }

    /**
     * Docker's cache word for the sources: {@code file:<hex>} for one file, {@code dir:<hex>} for one folder,
     * {@code multi:<hex>} for several. The digest covers each entry's name, type, mode, link target and bytes.
     */
    public String contentKey() {
        MessageDigest all = Digest.newSha256();
        for (Source source : sources) {
            all.update(source.relative().getBytes(StandardCharsets.UTF_8));
            all.update((byte) 0);
            walk(source.path(), (path, name) -> hashEntry(all, path, name));
        }
        String hex = HexFormat.of().formatHex(all.digest());
        if (several()) {
            return "multi:" + hex;
        }
        return (Files.isDirectory(sources.get(0).path()) ? "dir:" : "file:") + hex;
    }

    private interface EntryVisitor {
        void visit(Path path, String name) throws IOException;
    }

    /** The path and, for a folder, everything under it (names relative to the folder), in name order. */
    private static void walk(Path top, EntryVisitor visitor) {
        try {
            if (Files.isDirectory(top)) {
                try (Stream<Path> walk = Files.walk(top)) {
                    for (Path p : walk.filter(p -> !p.equals(top)).sorted(Comparator.comparing(Path::toString)).toList()) {
                        visitor.visit(p, top.relativize(p).toString());
                    }
                }
            } else {
                visitor.visit(top, "");
            }
        } catch (IOException e) {
            throw new UncheckedIOException("read " + top + ": " + e.getMessage(), e);
        }
    }

    private static void hashEntry(MessageDigest sha, Path path, String name) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        String header = name + "\0" + (attrs.isDirectory() ? "d" : attrs.isSymbolicLink() ? "l" : "f") + "\0"
                + mode(attrs.permissions()) + "\0" + (attrs.isSymbolicLink() ? Files.readSymbolicLink(path) : "") + "\0";
        sha.update(header.getBytes(StandardCharsets.UTF_8));
        if (attrs.isRegularFile()) {
            byte[] buffer = new byte[64 * 1024];
            try (InputStream in = Files.newInputStream(path)) {
                int n;
                while ((n = in.read(buffer)) > 0) {
                    sha.update(buffer, 0, n);
                }
            }
        }
    }

    /**
     * Writes the tar that puts one source in place: a file under {@code fileName} (its own name, or the
     * destination's when the destination names a file), a folder's content under its relative names.
     */
    public static void writeTar(Source source, String fileName, OutputStream out) {
        try {
            TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
            tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
            tar.setBigNumberMode(TarArchiveOutputStream.BIGNUMBER_POSIX);
            if (Files.isDirectory(source.path())) {
                walk(source.path(), (path, name) -> addEntry(tar, path, name));
            } else {
                addEntry(tar, source.path(), fileName);
            }
            tar.finish();
            tar.flush();
        } catch (IOException e) {
            throw new UncheckedIOException("write copy of " + source.relative() + ": " + e.getMessage(), e);
        }
    }

    private static void addEntry(TarArchiveOutputStream tar, Path path, String name) throws IOException {
        PosixFileAttributes attrs = Files.readAttributes(path, PosixFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        TarArchiveEntry entry;
        if (attrs.isSymbolicLink()) {
            entry = new TarArchiveEntry(name, TarArchiveEntry.LF_SYMLINK);
            entry.setLinkName(Files.readSymbolicLink(path).toString());
        } else if (attrs.isDirectory()) {
            entry = new TarArchiveEntry(name + "/");
        } else {
            entry = new TarArchiveEntry(name);
            entry.setSize(attrs.size());
        }
        entry.setMode((attrs.isDirectory() ? 040000 : attrs.isSymbolicLink() ? 0120000 : 0100000) | mode(attrs.permissions()));
        entry.setModTime(attrs.lastModifiedTime());
        tar.putArchiveEntry(entry);
        if (attrs.isRegularFile()) {
            Files.copy(path, tar);
        }
        tar.closeArchiveEntry();
    }

    static int mode(Set<PosixFilePermission> permissions) {
        int mode = 0;
        for (PosixFilePermission p : permissions) {
            mode |= switch (p) {
                case OWNER_READ -> 0400;
                case OWNER_WRITE -> 0200;
                case OWNER_EXECUTE -> 0100;
                case GROUP_READ -> 040;
                case GROUP_WRITE -> 020;
                case GROUP_EXECUTE -> 010;
                case OTHERS_READ -> 04;
                case OTHERS_WRITE -> 02;
                case OTHERS_EXECUTE -> 01;
            };
        }
        return mode;
    }

    public Path root() {
        return root;
    }
}
