package dev.tallyman.images.store;

import dev.tallyman.images.ImageException;
import dev.tallyman.images.reference.Digest;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.security.DigestOutputStream;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Stream;

/**
 * Blobs known by the sha256 of their bytes, under {@code root/blobs/sha256/<hex>}: image configs now,
 * manifests and compressed layers once pull, push, save and load arrive.
 *
 * <p>A blob is written to a temporary file in its final folder, checked against its digest, flushed to disk
 * and only then renamed into place, so a blob visible under a digest always has that digest: a crash or a
 * failed check leaves at most a {@code .tmp-} file, which {@link #removeLeftovers()} sweeps at boot.
 * Blobs never change once written, so concurrent writers of one digest both succeed.
 */
public final class ContentStore {
    private static final String TEMP_PREFIX = ".tmp-";

    private final Path blobs;

    public ContentStore(Path root) {
        this.blobs = root.resolve("blobs").resolve(Digest.SHA256);
        try {
            Files.createDirectories(blobs);
        } catch (IOException e) {
            throw new UncheckedIOException("create content store " + blobs + ": " + e.getMessage(), e);
        }
    }

    /** Stores the stream's bytes and returns their digest; storing bytes already held is a no-op. */
    public Digest put(InputStream content) {
        return write(content, Optional.empty());
    }

    /**
     * Stores the stream's bytes under {@code expected}; bytes with another digest fail with INVALID_PARAMETER
     * ({@code verify blob sha256:<expected>: got sha256:<actual>}) and leave nothing behind.
     */
    public Digest put(InputStream content, Digest expected) {
        return write(content, Optional.of(expected));
    }

    /** Stores the given bytes; see {@link #put(InputStream)}. */
    public Digest put(byte[] content) {
        Digest digest = Digest.sha256(content);
        if (exists(digest)) {
            return digest;
        }
        return write(new ByteArrayInputStream(content), Optional.of(digest));
    }

    private Digest write(InputStream content, Optional<Digest> expected) {
        Path temp = null;
        try {
            temp = Files.createTempFile(blobs, TEMP_PREFIX, "");
            MessageDigest sha = Digest.newSha256();
            try (OutputStream file = Files.newOutputStream(temp);
                 DigestOutputStream out = new DigestOutputStream(file, sha)) {
                content.transferTo(out);
            }
            Digest actual = Digest.fromBytes(sha.digest());
            if (expected.isPresent() && !expected.get().equals(actual)) {
                throw ImageException.invalid("verify blob " + expected.get() + ": got " + actual);
            }
            Path target = path(actual);
            if (!Files.exists(target)) {
                force(temp);
                try {
                    Files.move(temp, target, StandardCopyOption.ATOMIC_MOVE);
                } catch (AtomicMoveNotSupportedException e) {
                    throw new UncheckedIOException("store blob " + actual + ": rename not atomic on " + blobs, e);
                }
                temp = null;
            }
            return actual;
        } catch (IOException e) {
            throw new UncheckedIOException("store blob: " + e.getMessage(), e);
        } finally {
            if (temp != null) {
                deleteQuietly(temp);
            }
        }
    }

    /**
     * Moves {@code file} into the store as blob {@code expected}, after checking its bytes have that digest:
     * for large files already spooled to disk (layer tars), which would otherwise be copied once more.
     * The file must be on the store's file system or it is copied instead. Afterwards the file is gone,
     * whether the blob was new or already held. Other bytes fail with INVALID_PARAMETER
     * ({@code verify blob sha256:<expected>: got sha256:<actual>}) and leave the file where it was.
     */
    public Digest adopt(Path file, Digest expected) {
        try {
            MessageDigest sha = Digest.newSha256();
            try (InputStream in = Files.newInputStream(file)) {
                byte[] buffer = new byte[64 * 1024];
                for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                    sha.update(buffer, 0, n);
                }
            }
            Digest actual = Digest.fromBytes(sha.digest());
            if (!expected.equals(actual)) {
                throw ImageException.invalid("verify blob " + expected + ": got " + actual);
            }
            Path target = path(actual);
            if (Files.exists(target)) {
                Files.delete(file);
                return actual;
            }
            force(file);
            try {
                Files.move(file, target, StandardCopyOption.ATOMIC_MOVE);
            } catch (AtomicMoveNotSupportedException e) {
                // Another file system: copy through a temporary file as put does, then drop the original.
                try (InputStream in = Files.newInputStream(file)) {
                    write(in, Optional.of(expected));
                }
                Files.delete(file);
            }
            return actual;
        } catch (IOException e) {
            throw new UncheckedIOException("store blob " + expected + " from " + file + ": " + e.getMessage(), e);
        }
    }

    private static void force(Path file) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE)) {
            channel.force(true);
        }
    }

    /** Whether the blob is held. */
    public boolean exists(Digest digest) {
        return Files.isRegularFile(path(digest));
    }

    /** Opens the blob for reading; an absent blob fails with NOT_FOUND. The caller closes the stream. */
    public InputStream open(Digest digest) {
        try {
            return Files.newInputStream(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw new UncheckedIOException("open blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** The whole blob; meant for small blobs such as configs and manifests. Absent: NOT_FOUND. */
    public byte[] read(Digest digest) {
        try {
            return Files.readAllBytes(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw new UncheckedIOException("read blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** The blob's size in bytes. Absent: NOT_FOUND. */
    public long size(Digest digest) {
        try {
            return Files.size(path(digest));
        } catch (NoSuchFileException e) {
            throw notFound(digest);
        } catch (IOException e) {
            throw new UncheckedIOException("stat blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Removes the blob; returns whether it was there (a repeat is safe). */
    public boolean delete(Digest digest) {
        try {
            return Files.deleteIfExists(path(digest));
        } catch (IOException e) {
            throw new UncheckedIOException("delete blob " + digest + ": " + e.getMessage(), e);
        }
    }

    /** Every blob held, in no particular order. */
    public List<Digest> list() {
        List<Digest> found = new ArrayList<>();
        try (Stream<Path> files = Files.list(blobs)) {
            files.map(p -> p.getFileName().toString())
                    .filter(name -> !name.startsWith(TEMP_PREFIX))
                    .filter(name -> Digest.isValid(Digest.SHA256 + ":" + name))
                    .forEach(name -> found.add(Digest.ofHex(name)));
        } catch (IOException e) {
            throw new UncheckedIOException("list blobs in " + blobs + ": " + e.getMessage(), e);
        }
        return found;
    }

    /** Deletes temporary files a crashed writer left; call at boot, before any writer runs. Returns how many. */
    public int removeLeftovers() {
        int removed = 0;
        try (Stream<Path> files = Files.list(blobs)) {
            for (Path file : (Iterable<Path>) files::iterator) {
                if (file.getFileName().toString().startsWith(TEMP_PREFIX)) {
                    Files.deleteIfExists(file);
                    removed++;
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("remove leftovers in " + blobs + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private Path path(Digest digest) {
        return blobs.resolve(digest.hex());
    }

    private static ImageException notFound(Digest digest) {
        return new ImageException(ImageException.Kind.NOT_FOUND, "blob " + digest + ": not found");
    }

    private static void deleteQuietly(Path file) {
        try {
            Files.deleteIfExists(file);
        } catch (IOException ignored) {
            // The write already failed; that failure is the one to report, and removeLeftovers sweeps this file.
        }
    }
}
