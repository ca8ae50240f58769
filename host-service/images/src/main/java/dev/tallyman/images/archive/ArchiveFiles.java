package dev.tallyman.images.archive;

import dev.tallyman.images.ImageException;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;

/**
 * The files of a {@code docker save} archive, read once from the stream: manifest.json may come last, so
 * everything is spooled before anything is used. Regular files go to numbered scratch files; symlinks and
 * hard links (Docker links a layer.tar saved twice to the first copy) are kept as names and resolved inside
 * the archive. No entry name ever becomes a path on disk, so a hostile name cannot write anywhere.
 */
final class ArchiveFiles implements AutoCloseable {
    /** Linux's limit on symlinks followed in one lookup (ELOOP). */
    private static final int MAX_LINKS = 40;

    private final Path folder;
    private final Map<String, Path> files = new HashMap<>();
    private final Map<String, String> links = new HashMap<>();

    private ArchiveFiles(Path folder) {
        this.folder = folder;
    }

    /**
     * Reads the archive (plain or compressed) to its end into {@code folder}, which the returned object owns
     * and {@link #close()} deletes. A stream that is not a whole tar fails with INVALID_PARAMETER.
     */
    static ArchiveFiles read(InputStream archive, Path folder) {
        ArchiveFiles result = new ArchiveFiles(folder);
        try {
            TarArchiveInputStream tar = new TarArchiveInputStream(Compression.decompress(archive));
            int count = 0;
            for (TarArchiveEntry entry = tar.getNextEntry(); entry != null; entry = tar.getNextEntry()) {
                String name = normalize(entry.getName(), "");
                if (entry.isSymbolicLink()) {
                    result.links.put(name, normalize(entry.getLinkName(), parentOf(name)));
                } else if (entry.isLink()) {
                    result.links.put(name, normalize(entry.getLinkName(), ""));
                } else if (entry.isFile()) {
                    Path file = folder.resolve("file-" + count++);
                    spool(tar, file);
                    result.files.put(name, file);
                    result.links.remove(name);
                }
                // Directories, devices and fifos carry nothing a load reads.
            }
            return result;
        } catch (EOFException e) {
            result.close();
            throw ImageException.invalid("unexpected EOF");
        } catch (IOException e) {
            result.close();
            throw ImageException.invalid("read image archive: " + e.getMessage());
        } catch (RuntimeException e) {
            result.close();
            throw e;
        }
    }

    /** Copies the current entry to {@code file}: read failures are the archive's (IOException), write failures the host's. */
    private static void spool(InputStream entry, Path file) throws IOException {
        byte[] buffer = new byte[64 * 1024];
        try (OutputStream out = Files.newOutputStream(file)) {
            for (int n = entry.read(buffer); n >= 0; n = entry.read(buffer)) {
                try {
                    out.write(buffer, 0, n);
                } catch (IOException e) {
                    throw new UncheckedIOException("load image: spool " + file + ": " + e.getMessage(), e);
                }
            }
        }
    }

    /** The spooled file named {@code name} in the archive, symlinks and hard links followed; empty when absent. */
    Optional<Path> file(String name) {
        String current = normalize(name, "");
        for (int followed = 0; followed <= MAX_LINKS; followed++) {
            Path file = files.get(current);
            if (file != null) {
                return Optional.of(file);
            }
            Optional<String> next = throughLink(current);
            if (next.isEmpty()) {
                return Optional.empty();
            }
            current = next.get();
        }
        throw ImageException.invalid("open " + name + " in image archive: too many levels of symbolic links");
    }

    /** The name with its first linked component replaced by the link's target, or empty when none is a link. */
    private Optional<String> throughLink(String name) {
        String target = links.get(name);
        if (target != null) {
            return Optional.of(target);
        }
        for (int slash = name.indexOf('/'); slash > 0; slash = name.indexOf('/', slash + 1)) {
            String dir = links.get(name.substring(0, slash));
            if (dir != null) {
                return Optional.of(normalize(dir + name.substring(slash), ""));
            }
        }
        return Optional.empty();
    }

    /** The whole file, refused beyond {@code limit} bytes (manifests and configs are small; a huge one is hostile). */
    byte[] read(String name, long limit) {
        Path file = file(name).orElseThrow(() -> ImageException.invalid("open " + name + ": no such file in image archive"));
        try {
            if (Files.size(file) > limit) {
                throw ImageException.invalid("read " + name + " in image archive: larger than " + limit + " bytes");
            }
            return Files.readAllBytes(file);
        } catch (IOException e) {
            throw new UncheckedIOException("read " + name + " in image archive: " + e.getMessage(), e);
        }
    }

    /** Whether the archive names this file (after links). */
    boolean has(String name) {
        return file(name).isPresent();
    }

    @Override
    public void close() {
        Spool.delete(folder, "load image", null);
    }

    /**
     * A name inside the archive without {@code .}, empty segments or a leading slash, {@code ..} resolved
     * against {@code base}; one climbing above the archive's root fails with INVALID_PARAMETER.
     */
    static String normalize(String name, String base) {
        List<String> out = new ArrayList<>();
        String joined = name.startsWith("/") || base.isEmpty() ? name : base + "/" + name;
        for (String segment : joined.split("/")) {
            if (segment.isEmpty() || segment.equals(".")) {
                continue;
            }
            if (segment.equals("..")) {
                if (out.isEmpty()) {
                    throw ImageException.invalid("invalid image archive entry " + name + ": leads outside the archive");
                }
                out.remove(out.size() - 1);
            } else {
                out.add(segment);
            }
        }
        return String.join("/", out);
    }

    private static String parentOf(String name) {
        int slash = name.lastIndexOf('/');
        return slash < 0 ? "" : name.substring(0, slash);
    }
}
